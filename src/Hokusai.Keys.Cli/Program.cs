using Hokusai.Keys.Cli;

return await HokusaiCli.RunAsync(args, CliHost.FromProcess());
