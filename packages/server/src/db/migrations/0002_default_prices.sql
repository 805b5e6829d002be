-- Default prices, USD per million tokens, as published by Anthropic, OpenAI and Google.
-- A NULL cache or reasoning price means those tokens are billed at the plain input
-- (cache) or output (reasoning) price, which is how these providers bill them.
-- Patterns are specific on purpose: a model not listed here gets cost_source 'unknown'
-- rather than a guessed price. New prices go in a new migration with a later effective_from.
INSERT INTO model_prices
  (provider, model_pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, effective_from)
VALUES
  ('anthropic', 'claude-opus-4-5%', 5, 25, 0.5, 6.25, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-1%', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-0', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-opus-4-2025%', 15, 75, 1.5, 18.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-5%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-0', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-sonnet-4-2025%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-haiku-4-5%', 1, 5, 0.1, 1.25, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-3-7-sonnet%', 3, 15, 0.3, 3.75, NULL, '2025-01-01T00:00:00Z'),
  ('anthropic', 'claude-3-5-haiku%', 0.8, 4, 0.08, 1, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5', 1.25, 10, 0.125, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-2025%', 1.25, 10, 0.125, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-mini%', 0.25, 2, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-5-nano%', 0.05, 0.4, 0.005, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-2025%', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-mini%', 0.4, 1.6, 0.1, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4.1-nano%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o', 2.5, 10, 1.25, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o-2024%', 2.5, 10, 1.25, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'gpt-4o-mini%', 0.15, 0.6, 0.075, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3-2025%', 2, 8, 0.5, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o3-mini%', 1.1, 4.4, 0.55, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('openai', 'o4-mini%', 1.1, 4.4, 0.275, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-pro%', 1.25, 10, 0.31, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-flash%', 0.3, 2.5, 0.075, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.5-flash-lite%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.0-flash%', 0.1, 0.4, 0.025, NULL, NULL, '2025-01-01T00:00:00Z'),
  ('google', 'gemini-2.0-flash-lite%', 0.075, 0.3, NULL, NULL, NULL, '2025-01-01T00:00:00Z');
