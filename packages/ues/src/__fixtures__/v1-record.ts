/** A record in the blueprint's version-1 form (snake_case, bare tool call, done/success flags). */
export function v1Record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: 1,
    experience_id: 'v1-exp-7',
    episode_id: 'v1-ep',
    step: 3,
    state: { url: 'http://127.0.0.1/login', dom: '<form>...</form>' },
    action: { tool: 'browser_click', arguments: { ref: 'e4' }, result: { clicked: true } },
    reward: 1,
    next_state: { url: 'http://127.0.0.1/home' },
    done: true,
    success: true,
    metadata: {
      environment: 'Playwright',
      active_self: 'Playwright_Navigator',
      task_goal: 'Log in as alice',
      thought_process: 'The login button is e4.',
      timestamp: 1_735_689_600,
    },
    ...overrides,
  };
}
