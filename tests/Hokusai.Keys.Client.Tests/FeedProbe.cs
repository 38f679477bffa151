using System.Web;
using Hokusai.Keys.Storage;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// Sits between the handler app's SDK and the Hokusai server: counts verify calls and change feed answers, and can make
/// the feed unreachable (in-flight long-polls fail at once too) or hand the server an expired cursor.
/// </summary>
public sealed class FeedProbe(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private CancellationTokenSource _broken = new();
    private volatile bool _isBroken;
    private volatile bool _expireNextCursor;
    private int _verifies;
    private int _feedAnswers;
    private int _gone;

    public int Verifies => Volatile.Read(ref _verifies);
    public int FeedAnswers => Volatile.Read(ref _feedAnswers);
    public int GoneAnswers => Volatile.Read(ref _gone);

    /// <summary>The feed fails from now on (the long-poll in flight included); verify still works.</summary>
    public void Break()
    {
        _isBroken = true;
        _broken.Cancel();
    }

    public void Heal()
    {
        _broken = new CancellationTokenSource();
        _isBroken = false;
    }

    /// <summary>The next feed call carries a cursor older than the retention; the long-poll in flight is cut short for it.</summary>
    public void ExpireCursor()
    {
        _expireNextCursor = true;
        var previous = _broken;
        _broken = new CancellationTokenSource();
        previous.Cancel();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/keys/verify", StringComparison.Ordinal)) Interlocked.Increment(ref _verifies);
        if (!path.EndsWith("/keys/changes", StringComparison.Ordinal)) return await base.SendAsync(request, cancellationToken);

        if (_isBroken) throw new HttpRequestException("The feed is unreachable (test).");
        if (_expireNextCursor && HttpUtility.ParseQueryString(request.RequestUri.Query)["cursor"] is not null)
        {
            _expireNextCursor = false;
            var expired = new KeyChangeCursor(DateTimeOffset.UtcNow.AddDays(-2).UtcTicks, []).Encode();
            request.RequestUri = new Uri(request.RequestUri.GetLeftPart(UriPartial.Path) + "?cursor=" + expired + "&wait=25");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _broken.Token);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException("The feed was cut off (test).");
        }
        if ((int)response.StatusCode == 410) Interlocked.Increment(ref _gone);
        if (response.IsSuccessStatusCode) Interlocked.Increment(ref _feedAnswers);
        return response;
    }
}
