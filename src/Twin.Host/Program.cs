using Twin.Host.Cli;

return await TwinCli.RunAsync(args);
