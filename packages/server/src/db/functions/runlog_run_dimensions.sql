-- The (dim, key) pairs a run counts under; NULL keys count as 'unknown', as the seed's agent_id query does.
CREATE OR REPLACE FUNCTION runlog_run_dimensions(p_provider text, p_source text, p_agent text)
RETURNS TABLE (dim text, key text) LANGUAGE sql IMMUTABLE AS $$
  VALUES ('provider_type', coalesce(p_provider, 'unknown')), ('source', coalesce(p_source, 'unknown')),
         ('agent_id', coalesce(p_agent, 'unknown'))
$$;
