using System.IO.Compression;
using System.Text;

namespace Twin.Simulation.Workloads;

/// <summary>
/// Turns a stream the caller opened into a <see cref="TextReader"/> for the trace readers: gzip is detected from
/// its magic bytes (1f 8b) and decompressed on the fly; text is decoded as UTF-8 (the traces are ASCII).
/// </summary>
public static class TraceInput
{
    /// <summary>Wraps <paramref name="stream"/>; disposing the reader disposes the stream unless <paramref name="leaveOpen"/>.</summary>
    public static TextReader OpenText(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var head = new byte[2];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream replayed = new PrefixedStream(head.AsMemory(0, read), stream, leaveOpen);
        if (read == 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            replayed = new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false);
        }

        return new Utf8StreamTextReader(replayed);
    }

    /// <summary>A read-only stream that first returns bytes already taken from the inner stream, then the rest of it.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner, bool leaveOpen) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return inner.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !leaveOpen)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A buffered UTF-8 line reader over a stream (the pure core may not use StreamReader).</summary>
    private sealed class Utf8StreamTextReader(Stream stream) : TextReader
    {
        private const int BufferSize = 64 * 1024;
        private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        private readonly byte[] _bytes = new byte[BufferSize];
        private readonly char[] _chars = new char[BufferSize + 1];
        private int _position;
        private int _length;
        private bool _endOfStream;
        private bool _started;

        public override int Peek() => EnsureData() ? _chars[_position] : -1;

        public override int Read() => EnsureData() ? _chars[_position++] : -1;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (buffer.IsEmpty || !EnsureData())
            {
                return 0;
            }

            var n = Math.Min(buffer.Length, _length - _position);
            _chars.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override string? ReadLine()
        {
            StringBuilder? partial = null;
            while (true)
            {
                if (!EnsureData())
                {
                    return partial?.ToString();
                }

                var available = _chars.AsSpan(_position, _length - _position);
                var end = available.IndexOfAny('\r', '\n');
                if (end < 0)
                {
                    (partial ??= new StringBuilder()).Append(available);
                    _position = _length;
                    continue;
                }

                var line = partial is null ? new string(available[..end]) : partial.Append(available[..end]).ToString();
                _position += end + 1;
                if (available[end] == '\r' && Peek() == '\n')
                {
                    _position++;
                }

                return line;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                stream.Dispose();
            }

            base.Dispose(disposing);
        }

        private bool EnsureData()
        {
            while (_position >= _length)
            {
                if (_endOfStream)
                {
                    return false;
                }

                var read = stream.Read(_bytes, 0, _bytes.Length);
                _endOfStream = read == 0;
                _length = _decoder.GetChars(_bytes, 0, read, _chars, 0, flush: _endOfStream);
                _position = 0;
                if (!_started && _length > 0)
                {
                    _started = true;
                    if (_chars[0] == '\uFEFF')
                    {
                        _position = 1;
                    }
                }
            }

            return true;
        }
    }
}
