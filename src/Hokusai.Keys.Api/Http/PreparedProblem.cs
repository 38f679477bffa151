using System.Text.Json;

namespace Hokusai.Keys.Api.Http;

/// <summary>A problem whose body never varies, serialized once: for the hot path's refusals, answered at full request rate.</summary>
public sealed class PreparedProblem(ProblemResponse problem)
{
    public int Status { get; } = problem.Status;

    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(problem, ApiJson.Options);
}
