// Gzip is recognised by content (RFC 1952's magic bytes), never by file name: files get renamed. Every
// reader, host and format asks here; the inflating itself is the host's (Node's zlib, the browser's
// DecompressionStream).

/** Whether `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
