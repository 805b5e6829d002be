// The part of autocannon's programmatic API the run sequence uses (the package ships no types).
declare module 'autocannon' {
  interface SequenceRequest {
    method?: string;
    setupRequest?: (request: object, context: Record<string, unknown>) => object;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    requests?: SequenceRequest[];
  }
  interface Result {
    duration: number;
    errors: number;
    non2xx: number;
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
  }
  export default function autocannon(options: Options): Promise<Result>;
}
