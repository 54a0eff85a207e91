// Preloaded into the server that npm run soak drives (node --expose-gc --import): asked over the
// IPC channel, it runs a full collection and answers the heap still in use (and the resident set,
// which holds SQLite's memory too), so that memory is read
// the same way at every checkpoint however busy the machine is. The channel does not keep the
// server alive, so SIGTERM stops it as usual.
process.on('message', (message) => {
  if (message !== 'measure') return;
  globalThis.gc!();
  const { heapUsed, rss } = process.memoryUsage();
  process.send!({ heapUsedBytes: heapUsed, rssBytes: rss });
});
process.channel?.unref();
