using System.Globalization;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>
/// <c>GET /api/keys/changes</c>: the change feed edges follow to evict cached validation answers. Without a cursor, the
/// head (no changes); with one, a long-poll of at most <c>?wait=</c> seconds (default and bound:
/// <see cref="ChangeFeedOptions.MaxWaitSeconds"/>).
/// </summary>
public sealed class KeyChangesApi(IKeyChangeFeed feed, IOptions<ChangeFeedOptions> options, TimeProvider time)
{
    /// <summary>How far ahead of this instance's clock a cursor may point (clocks of instances differ a little).</summary>
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public async Task<ApiResult> ListChangesAsync(ApiCall call)
    {
        var query = call.Request.Query;
        var maxWait = options.Value.MaxWaitSeconds;
        var wait = maxWait;
        if (query.TryGetValue("wait", out var waitText)
            && (!int.TryParse(waitText, NumberStyles.None, CultureInfo.InvariantCulture, out wait) || wait > maxWait))
            return Problems.Invalid("wait", $"must be 0–{maxWait} (seconds)");
        var caller = call.Authenticated;

        if (!query.TryGetValue("cursor", out var cursorText))
            return Answer(new KeyChangePage([], await feed.HeadAsync(call.Aborted)), caller);
        if (!KeyChangeCursor.TryDecode(cursorText[0], out var cursor) || cursor!.Settled > time.GetUtcNow() + ClockTolerance)
            return Problems.Invalid("cursor", "is not a cursor of this feed; start again without one");

        var page = await feed.ReadAsync(cursor, caller, TimeSpan.FromSeconds(wait), call.Aborted);
        return page is null
            ? ApiResult.Problem(ProblemResponse.Create(StatusCodes.Status410Gone, ErrorCodes.CursorExpired,
                $"The cursor is older than the feed keeps changes ({options.Value.RetentionHours} hours): drop every cached answer and start again without a cursor."))
            : Answer(page, caller);
    }

    private static ApiResult Answer(KeyChangePage page, Caller caller) => ApiResult.Json(StatusCodes.Status200OK, new KeyChangeListResponse(
        page.Changes.Select(c => new KeyChangeResource(c.KeyId, c.Type, c.OccurredAt)).ToList(),
        page.Cursor.Encode())
    {
        Owner = caller.IsAdmin ? null : caller.Owner,
        Environment = caller.IsAdmin ? null : caller.Environment.ToWire(),
    });
}
