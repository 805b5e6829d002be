import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../lib/api-client.ts';

export interface AttentionItem { run_id: string; attention_score: number; reasons: string[]; state: string; status: string; started_at: string | null }
export interface AttentionQueue { queue: AttentionItem[]; total_attention_items: number; weights_version: string; weights: Record<string, number>; generated_at: string }
export interface AgentCost {
  agent_id: string; current_cost_usd: number; total_cost_usd: number; baseline_avg_usd: number | null; baseline_stddev_usd: number | null;
  baseline_p95_usd: number | null; baseline_run_count: number; has_baseline: boolean; z_score: number | null; is_anomaly: boolean; run_count: number;
}
export interface CostAnalysis { window: { current: string; baseline: string }; agents: AgentCost[]; total_anomalies: number; total_cost_usd: number }
export interface Pattern { pattern_type: string; run_ids: string[]; count: number; confidence: number; details: Record<string, unknown> }
export interface RunSummary { period_hours: number; total_runs: number; completed: number; failed: number; pending: number; running: number; cancelled: number; success_rate: number }

export const useAttention = (limit = 10) =>
  useQuery({ queryKey: ['overview', 'attention', limit], queryFn: () => apiGet<AttentionQueue>('/activity/attention-queue', { limit }) });
export const useCostAnalysis = () =>
  useQuery({ queryKey: ['overview', 'cost'], queryFn: () => apiGet<CostAnalysis>('/activity/cost-analysis') });
export const useRunSummary = (hours = 24) =>
  useQuery({ queryKey: ['overview', 'summary', hours], queryFn: () => apiGet<RunSummary>('/activity/summary', { hours }) });
export const usePatterns = (window: string) =>
  useQuery({ queryKey: ['overview', 'patterns', window], queryFn: () => apiGet<{ patterns: Pattern[]; window: { start: string; end: string } }>('/activity/patterns', { window }) });
export const useByDimension = (dim: string, state: string) =>
  useQuery({ queryKey: ['overview', 'dimension', dim, state], queryFn: () => apiGet<{ buckets: Array<{ key: string; count: number }>; total_runs: number }>('/activity/runs/by-dimension', { dim, state }) });
