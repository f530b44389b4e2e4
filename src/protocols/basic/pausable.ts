/**
 * The pausing shared by the framers (Twisted's `_PauseableMixin`): a receiver is a push producer
 * for whoever consumes what it delivers. Pausing stops delivery and pauses the transport;
 * resuming resumes the transport and delivers what was buffered meanwhile.
 */
import { Protocol } from "../protocol.js";
import { EMPTY } from "../../_internal/bytes.js";
import type { IPushProducer, ITransport } from "../../interfaces.js";

/** The transport as a push producer, if it is one (transports of real connections are). */
export function transportProducer(transport: ITransport | undefined): Partial<IPushProducer> {
  return (transport ?? {}) as Partial<IPushProducer>;
}

/** A Protocol whose delivery can be paused, resumed and stopped like a push producer's. */
export abstract class PausableReceiver extends Protocol implements IPushProducer {
  /** True while paused (by `pauseProducing`/`stopProducing`). */
  paused = false;

  /** Stops delivering and pauses the transport. */
  pauseProducing(): void {
    this.paused = true;
    transportProducer(this.transport).pauseProducing?.();
  }

  /** Resumes the transport and delivers what is buffered. */
  resumeProducing(): void {
    this.paused = false;
    transportProducer(this.transport).resumeProducing?.();
    this.dataReceived(EMPTY);
  }

  /** Stops delivering for good and stops the transport. */
  stopProducing(): void {
    this.paused = true;
    transportProducer(this.transport).stopProducing?.();
  }
}
