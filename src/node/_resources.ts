/**
 * Optional registration of open sockets in a reactor's resource registry (NodeReactor has one;
 * a bare `ReactorTime` such as `Clock` does not). Never exported from `reed/node`.
 */
import type { ReactorTime, TrackedResource } from "../interfaces.js";

export type { TrackedResource };

/** The registry part of a reactor, when it has one. */
export interface ResourceRegistry {
  /** Records an open resource. */
  trackResource(r: TrackedResource): void;
  /** Forgets a resource once it is closed. */
  untrackResource(r: TrackedResource): void;
}

/** The reactor's resource registry, or null when it has none (a `Clock`). */
export function registryOf(reactor: ReactorTime): ResourceRegistry | null {
  const r = reactor as Partial<ResourceRegistry>;
  return typeof r.trackResource === "function" && typeof r.untrackResource === "function"
    ? (r as ResourceRegistry)
    : null;
}

/** Whether the reactor keeps a resource registry (so per-connection entries are worth making). */
export function hasRegistry(reactor: ReactorTime): boolean {
  return registryOf(reactor) !== null;
}

/** Registers `r` with the reactor's registry, if it has one. */
export function track(reactor: ReactorTime, r: TrackedResource): void {
  registryOf(reactor)?.trackResource(r);
}

/** Unregisters `r`, if the reactor has a registry. */
export function untrack(reactor: ReactorTime, r: TrackedResource): void {
  registryOf(reactor)?.untrackResource(r);
}

/** The caller's stack (minus reed's own frames), for `TrackedResource.creator`. */
export function creatorStack(): string {
  return (new Error().stack ?? "").split("\n").slice(3).join("\n");
}
