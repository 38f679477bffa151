namespace Hokusai.Keys.AspNetCore;

/// <summary>A Hokusai scheme registered in this app, for <see cref="KeyChangeFollower"/> to follow when it has a service key.</summary>
internal sealed record FollowedScheme(string Name);
