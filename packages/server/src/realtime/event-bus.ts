import { EventEmitter } from 'node:events';
import type { LiveEvent } from '../events/live-events.ts';
import type { Logger } from '../logger.ts';

export type { LiveEvent, LiveEventType } from '../events/live-events.ts';

/**
 * In-process fan-out of committed writes to live subscribers (the WebSocket hub).
 * Publishing happens after commit and never fails the write: a throwing subscriber is logged.
 */
export function createEventBus(logger: Logger) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(events: LiveEvent[]) {
      for (const event of events) {
        try {
          emitter.emit('event', event);
        } catch (err) {
          logger.warn({ err, type: event.type }, 'live event subscriber failed');
        }
      }
    },
    subscribe(listener: (event: LiveEvent) => void): () => void {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
}

export type EventBus = ReturnType<typeof createEventBus>;
