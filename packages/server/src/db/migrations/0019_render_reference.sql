-- An activity whose render is its shape's cached render points at that render_cache row
-- instead of holding a copy: a render (~400 bytes of jsonb) is several times the size of a
-- typical payload, and copying it into every row tripled the activities table and slowed each
-- insert. schema_render keeps a render that is the activity's own (one not in the cache, and
-- rows written before this migration). Readers resolve the two (activity-columns.ts).
ALTER TABLE activities ADD COLUMN render_analyzer text;
ALTER TABLE activities ADD COLUMN render_fingerprint text;
