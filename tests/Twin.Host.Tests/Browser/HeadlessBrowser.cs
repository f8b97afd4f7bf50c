using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Twin.Host.Tests.Browser;

/// <summary>
/// Headless Chromium driven through the Chrome DevTools protocol over its WebSocket: no driver process whose version
/// must match the browser's and no package beyond the BCL. It opens one page, evaluates JavaScript in it, waits for
/// conditions, takes screenshots, and records the page's uncaught exceptions and console errors.
/// </summary>
internal sealed class HeadlessBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _pageErrors = [];
    private Task _receiving = Task.CompletedTask;
    private int _nextId;
    private string _session = "";

    private HeadlessBrowser(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>What the browser types into a <c>window.prompt</c> of the page (accepting it); null dismisses every
    /// dialog, so a page never hangs on one.</summary>
    public string? PromptAnswer { get; set; }

    /// <summary>The messages of the dialogs (alert, confirm, prompt) the page opened so far.</summary>
    public IReadOnlyList<string> Dialogs
    {
        get { lock (_dialogs) return [.. _dialogs]; }
    }

    private readonly List<string> _dialogs = [];

    /// <summary>Uncaught exceptions and console errors of the page so far.</summary>
    public IReadOnlyList<string> PageErrors
    {
        get { lock (_pageErrors) return [.. _pageErrors]; }
    }

    public static async Task<HeadlessBrowser> LaunchAsync(int width = 1400, int height = 1800)
    {
        var executable = await Chromium.LocateOrInstallAsync();
        var profile = Directory.CreateTempSubdirectory("twin-chromium-").FullName;
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // as root Chromium needs --no-sandbox; the rest keeps it off the (closed) network and away from first-run work
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--no-default-browser-check", $"--user-data-dir={profile}", "--remote-debugging-port=0",
                     $"--window-size={width},{height}", "about:blank",
                 })
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessBrowser(process, profile);
        try
        {
            await browser.ConnectAsync(width, height);
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
        return browser;
    }

    private async Task ConnectAsync(int width, int height)
    {
        // Chromium writes the port it chose and the browser target's path to DevToolsActivePort in the profile
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] lines = [];
        while (lines.Length < 2)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Chromium exited at start with code {_process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Chromium did not open its DevTools port within 30 s.");
            await Task.Delay(50, Http.Ct);
            try
            {
                lines = File.Exists(portFile) ? await File.ReadAllLinesAsync(portFile, Http.Ct) : [];
            }
            catch (IOException)
            {
                // being written
            }
        }
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), Http.Ct);
        _receiving = Task.Run(ReceiveLoop);
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browserLevel: true);
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, browserLevel: true);
        _session = attached["sessionId"]!.GetValue<string>();
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
    }

    public async Task NavigateAsync(Uri url)
    {
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result["errorText"] is { } error) throw new InvalidOperationException($"navigating to {url} failed: {error}");
        await WaitForAsync("document.readyState === 'complete'", $"{url} loads");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception) throw new InvalidOperationException($"JavaScript failed: {expression}\n{exception.ToJsonString()}");
        return result["result"]?["value"];
    }

    /// <summary>Waits until the JavaScript <paramref name="condition"/> is truthy. A condition that throws counts as not
    /// yet true (a page being replaced has no body for a moment); the last such error is reported if time runs out.</summary>
    public async Task WaitForAsync(string condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string? lastError = null;
        while (true)
        {
            try
            {
                var value = await EvaluateAsync($"!!({condition})");
                if (value?.GetValue<bool>() == true) return;
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("JavaScript failed", StringComparison.Ordinal))
            {
                lastError = e.Message;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {seconds} s: {what} ({condition}); page errors: {string.Join(" | ", PageErrors)}; "
                                           + $"last error of the condition: {lastError ?? "none"}; "
                                           + $"body: {(await EvaluateAsync("document.body ? document.body.innerText.slice(0, 2000) : ''"))}");
            await Task.Delay(100, Http.Ct);
        }
    }

    /// <summary>A PNG of the whole page.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null, bool browserLevel = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (!browserLevel) message["sessionId"] = _session;
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, Http.Ct);
        var answer = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), Http.Ct);
        if (answer["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return answer["result"]?.AsObject() ?? [];
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage) continue;
                var json = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (json["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var waiter)) waiter.TrySetResult(json);
                else Observe(json);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the browser is going away
        }
        foreach (var waiter in _pending.Values) waiter.TrySetException(new InvalidOperationException("the browser connection closed"));
    }

    private void Observe(JsonObject e)
    {
        var method = e["method"]?.GetValue<string>();
        if (method == "Page.javascriptDialogOpening")
        {
            lock (_dialogs) _dialogs.Add(e["params"]?["message"]?.GetValue<string>() ?? "");
            var answer = PromptAnswer;
            // answered off the receive loop, which must stay free to deliver the reply
            _ = Task.Run(() => SendAsync("Page.handleJavaScriptDialog", new JsonObject { ["accept"] = answer is not null, ["promptText"] = answer ?? "" }));
            return;
        }
        string? error = method switch
        {
            "Runtime.exceptionThrown" => e["params"]?["exceptionDetails"]?["exception"]?["description"]?.GetValue<string>()
                                         ?? e["params"]?["exceptionDetails"]?["text"]?.GetValue<string>(),
            "Runtime.consoleAPICalled" when e["params"]?["type"]?.GetValue<string>() == "error" =>
                string.Join(" ", e["params"]!["args"]!.AsArray().Select(a => a?["value"]?.ToString() ?? a?["description"]?.ToString())),
            _ => null,
        };
        if (error is not null) lock (_pageErrors) _pageErrors.Add(error);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
        {
            // closing anyway
        }
        await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _socket.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium's helpers may still hold a file for a moment; the folder is in the temp directory
        }
    }
}
