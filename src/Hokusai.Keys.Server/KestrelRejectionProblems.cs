using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Hokusai.Keys.Server;

/// <summary>
/// Gives the requests Kestrel refuses on its own — a NUL in the path, a malformed request line, header or transfer
/// coding, a missing Host, an over-long request line (414) or header section (431), an unknown HTTP version (505) — a
/// problem+json body with a code. Kestrel answers those before any application code runs and writes the answer itself,
/// with <c>Content-Length: 0</c>: no middleware, exception handler or status-code page sees them, and
/// <see cref="KestrelServerOptions"/> has no hook for the answer. Kestrel does offer two public seams, used together:
/// the <c>Microsoft.AspNetCore.Server.Kestrel.BadRequest</c> diagnostic event, raised just before it writes such an
/// answer, whose payload (the request's features) falls back to the connection's features; and connection middleware,
/// which owns the bytes the connection writes. The middleware puts a <see cref="PendingRejection"/> on each connection
/// and wraps its output; the event marks it when the answer will be Kestrel's (the response not started, not a HEAD
/// request); the wrapper then holds back what Kestrel writes and, when that is an HTTP/1.1 response head with
/// <c>Content-Length: 0</c> and a status it knows, sends it with the problem as its body. Anything else it held (HTTP/2
/// frames, TLS records, an unknown status) goes out byte for byte; nothing written before the mark is ever held.
/// </summary>
public sealed class KestrelRejectionProblems : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    private static readonly byte[] EmptyBodyHeader = "\r\nContent-Length: 0\r\n"u8.ToArray();

    // The statuses Kestrel gives requests it refuses before the application (411 and 413 arise only while a handler
    // reads a body, where ApiErrorBoundary answers), with the problem each gets, serialized once.
    private static readonly Dictionary<int, byte[]> Problems = new()
    {
        [400] = Body(400, ErrorCodes.MalformedRequest, "The request is not well-formed HTTP: its request line, target, headers or framing."),
        [405] = Body(405, ErrorCodes.MethodNotAllowed, "This form of request target takes only the method named in Allow."),
        [408] = Body(408, ErrorCodes.RequestTimeout, "The request headers did not arrive in time."),
        [414] = Body(414, ErrorCodes.UriTooLong, "The request line is longer than this server accepts."),
        [431] = Body(431, ErrorCodes.HeadersTooLarge, "The request headers are larger than this server accepts."),
        [505] = Body(505, ErrorCodes.HttpVersionNotSupported, "This server speaks HTTP/1.1 (and HTTP/1.0)."),
    };

    private readonly IDisposable _subscription;

    public KestrelRejectionProblems(DiagnosticListener listener) =>
        // The host's listener is Kestrel's diagnostic source; only this event is enabled by this subscription.
        _subscription = listener.Subscribe(this, static name => name == BadRequestEvent);

    /// <summary>Connection middleware: every connection gets a <see cref="PendingRejection"/> and an output that can complete Kestrel's answers.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection =>
    {
        var pending = new PendingRejection();
        connection.Features.Set(pending);
        connection.Transport = new Duplex(connection.Transport.Input, new CompletingWriter(connection.Transport.Output, pending));
        return next(connection);
    };

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != BadRequestEvent || value.Value is not IFeatureCollection features) return;
        if (features.Get<PendingRejection>() is not { } pending) return;
        // A rejection after the response started is a connection to close, not an answer to write; a HEAD answer has no body.
        if (features.Get<IHttpResponseFeature>() is not { HasStarted: false }) return;
        if (string.Equals(features.Get<IHttpRequestFeature>()?.Method, "HEAD", StringComparison.OrdinalIgnoreCase)) return;
        pending.IsSet = true;
    }

    public void OnCompleted() { }

    public void OnError(Exception error) { }

    public void Dispose() => _subscription.Dispose();

    /// <summary>
    /// The answer with a problem body when <paramref name="held"/> is exactly Kestrel's rejection head
    /// (<c>HTTP/1.1 NNN …</c>, <c>Content-Length: 0</c>, nothing after the head) of a status in <see cref="Problems"/>; else null.
    /// </summary>
    internal static byte[]? Complete(ReadOnlySpan<byte> held)
    {
        var headEnd = held.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 || headEnd + 4 != held.Length || !held.StartsWith("HTTP/1.1 "u8) || held.Length < 12) return null;
        if (!int.TryParse(held.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || !Problems.TryGetValue(status, out var body)) return null;
        var lengthAt = held.IndexOf(EmptyBodyHeader);
        if (lengthAt < 0) return null;
        var headers = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"\r\nContent-Type: {ApiResult.ProblemContentType}\r\nContent-Length: {body.Length}\r\n"));
        return [.. held[..lengthAt], .. headers, .. held[(lengthAt + EmptyBodyHeader.Length)..], .. body];
    }

    private static byte[] Body(int status, string code, string detail) =>
        JsonSerializer.SerializeToUtf8Bytes(ProblemResponse.Create(status, code, detail), ApiJson.Options);

    /// <summary>Set (by the diagnostic event) when Kestrel is about to write its own answer to a refused request on this connection.</summary>
    private sealed class PendingRejection
    {
        public volatile bool IsSet;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Passes every write straight through, except those made after the connection's <see cref="PendingRejection"/> was
    /// set: those are held until Kestrel flushes or completes, then written completed (<see cref="Complete"/>) or as they were.
    /// </summary>
    private sealed class CompletingWriter(PipeWriter inner, PendingRejection pending) : PipeWriter
    {
        private ArrayBufferWriter<byte>? _held;
        private bool _holding; // the memory handed out last is _held's

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            _holding = pending.IsSet;
            return _holding ? (_held ??= new ArrayBufferWriter<byte>()).GetMemory(sizeHint) : inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (_holding) _held!.Advance(bytes);
            else inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Release();
            return inner.FlushAsync(cancellationToken);
        }

        public override void Complete(Exception? exception = null)
        {
            Release();
            inner.Complete(exception);
        }

        public override ValueTask CompleteAsync(Exception? exception = null)
        {
            Release();
            return inner.CompleteAsync(exception);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + (_held?.WrittenCount ?? 0);

        private void Release()
        {
            if (_held is not { WrittenCount: > 0 } held) return;
            pending.IsSet = false;
            _holding = false;
            if (KestrelRejectionProblems.Complete(held.WrittenSpan) is { } completed) inner.Write(completed);
            else inner.Write(held.WrittenSpan);
            held.ResetWrittenCount();
        }
    }
}
