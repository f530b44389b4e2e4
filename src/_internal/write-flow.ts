/**
 * The write-side producer rule every reed transport shares (TCP, WebSocket on Node and in a page,
 * the in-memory fakes, and through `PipeWriter` StandardIO's stdout and a child process's stdin),
 * so they cannot drift apart. Never exported from an entry point.
 */

/**
 * Buffered bytes at which a streaming producer is paused where the transport has no buffer of its
 * own to ask: a Node socket's default `writableHighWaterMark` (what reed's TCP transport pauses at).
 */
export const WRITE_HIGH_WATER_MARK = 16 * 1024;

/** What a transport does when its write buffer has just emptied (see `emptyBufferAction`). */
export type EmptyBufferAction = "resume-producer" | "close" | "nothing";

/**
 * Twisted's `FileDescriptor.doWrite` on an empty buffer: a registered pull producer, or a
 * streaming producer the transport paused, is asked to resume (and a pending close waits);
 * otherwise a pending close (`loseConnection`, or a half-close) goes ahead.
 * @param hasProducer whether a producer is registered.
 * @param streaming whether it is a streaming (push) producer.
 * @param paused whether the transport has paused it.
 * @param closing whether a close (or half-close) is waiting for the buffer to empty.
 */
export function emptyBufferAction(hasProducer: boolean, streaming: boolean, paused: boolean, closing: boolean): EmptyBufferAction {
  if (hasProducer && (!streaming || paused)) return "resume-producer";
  return closing ? "close" : "nothing";
}
