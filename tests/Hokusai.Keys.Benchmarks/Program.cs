using BenchmarkDotNet.Running;
using Hokusai.Keys.Benchmarks;

// dotnet run -c Release -- [BenchmarkDotNet args]      in-process suites (validation, format)
// dotnet run -c Release -- limiter <redis> <concurrency> <seconds> [limit/secs] the Redis rate limiter alone
// dotnet run -c Release -- rate <url>[,<url>…] <rate/s> <seconds> <keys-file> [per-key-tsv]   open-loop load at a fixed rate: latency percentiles, answers
// dotnet run -c Release -- forge <keys-file> <per-key> <out-file>     forged keys (real ids, random secrets) for scripts/flood-test.sh
// dotnet run -c Release -- ingest [events] [keys] [rate/s]          usage ingestion through a self-started Azurite (docs/performance.md)
if (args.Length > 0 && args[0] == "rate") return await FixedRateLoad.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "limiter") return await LimiterThroughput.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "forge") return await ForgedKeys.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "ingest") return await UsageIngestionBenchmark.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(ValidationBenchmarks).Assembly).Run(args);
return 0;
