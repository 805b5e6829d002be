/** Tells this process's render worker that a job is due now (a retry); other processes poll. */
export function createRenderSignal() {
  const listeners = new Set<() => void>();
  return {
    wake() {
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type RenderSignal = ReturnType<typeof createRenderSignal>;
