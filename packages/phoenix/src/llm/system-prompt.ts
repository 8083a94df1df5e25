/**
 * What a language model reads before acting: the active Self's persona (the roster's name, function
 * and domains), how to answer, and in text mode the tool catalog with the call format (servers
 * with native tool calling get the JSON Schemas as `tools` instead).
 */
import { DEFAULT_ROSTER } from '@chimera/selves';
import { type AnyTool, toolCatalog } from '@chimera/toolbelt';

/** The parts of a Self's metadata a prompt uses (a `SelfMetadata` fits). */
export interface Persona {
  name: string;
  function: string;
  domains?: readonly string[];
  coreTasks?: readonly string[];
  skills?: readonly string[];
}

/** The persona of a roster Self (DEFAULT_ROSTER), or undefined for a name the roster lacks. */
export function rosterPersona(self: string): Persona | undefined {
  const entry = DEFAULT_ROSTER.find((s) => s.name === self);
  return entry === undefined ? undefined : { ...entry };
}

export function personaText(self: string, persona: Persona | undefined): string {
  if (persona === undefined) return `You are ${self.replace(/_/g, ' ')}, one of the agent's Selves.`;
  const lines = [
    `You are ${persona.name.replace(/_/g, ' ')}, one of the agent's Selves. Your function: ${persona.function}`,
  ];
  if (persona.domains?.length) lines.push(`Domains: ${persona.domains.join(', ')}.`);
  if (persona.coreTasks?.length) lines.push(`Core tasks: ${persona.coreTasks.join('; ')}.`);
  return lines.join('\n');
}

export function systemPrompt(options: {
  self: string;
  persona: Persona | undefined;
  tools: readonly AnyTool[];
  mode: 'native' | 'text';
}): string {
  const parts = [
    personaText(options.self, options.persona),
    'You act in an environment through tools. Each turn you see the goal, what you observe and what you did so far, and the actions available now. Think briefly about which action brings the goal closer, then make exactly one tool call that is one of the available actions.',
  ];
  if (options.mode === 'text') {
    parts.push(
      `Tools:\n${toolCatalog(options.tools, { results: false })}`,
      'Answer with your reasoning, then the call as one JSON object on its own line: {"tool": "<name>", "args": {...}}',
    );
  }
  parts.push('If a call is rejected, read the error and send one corrected call.');
  return parts.join('\n\n');
}
