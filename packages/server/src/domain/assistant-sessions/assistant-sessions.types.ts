/** The source recorded on every activity from the coding-assistant adapter (hooks and telemetry). */
export const CLAUDE_CODE_SOURCE = 'claude-code';
