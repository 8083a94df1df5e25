/**
 * A small, self-contained toolset for the TAL-only example: a notebook the agent can write to and
 * search. Search results carry short entity ids (`n3`) so the model can open a note without
 * repeating its title; the ids go stale when the notebook changes.
 */
import { type AnyTool, defineTool, EntityRegistry, StaleEntityError } from '@chimera/toolbelt';
import { z } from 'zod';

interface Note {
  title: string;
  body: string;
  tags: string[];
}

export function notebookTools(notes: Note[] = []): AnyTool[] {
  const ids = new EntityRegistry({ prefix: 'n' });
  const scope = 'notebook';

  const add = defineTool({
    name: 'notes_add',
    description: 'Add a note to the notebook. Returns how many notes there are.',
    environmentTags: ['notes'],
    input: z.object({
      title: z.string().min(1).max(120).describe('Short title'),
      body: z.string().max(4000),
      tags: z.array(z.string().max(30)).max(10).default([]),
    }),
    output: z.object({ count: z.number().int() }),
    annotations: { destructiveHint: false, idempotentHint: false },
    exampleUsage: '{"tool":"notes_add","args":{"title":"Groceries","body":"eggs, flour"}}',
    handler: (args) => {
      notes.push(args);
      // Earlier search results no longer describe the notebook: their ids become stale.
      ids.newVersion(scope);
      return { count: notes.length };
    },
  });

  const search = defineTool({
    name: 'notes_search',
    description:
      'Find notes whose title, body or tags contain the query (case-insensitive). Returns short ids.',
    environmentTags: ['notes'],
    input: z.object({ query: z.string().min(1), limit: z.number().int().min(1).max(20).default(5) }),
    output: z.object({ hits: z.array(z.object({ id: z.string(), title: z.string() })) }),
    annotations: { readOnlyHint: true },
    handler: ({ query, limit }) => {
      const needle = query.toLowerCase();
      const hits = notes
        .map((note, index) => ({ note, index }))
        .filter(({ note }) =>
          [note.title, note.body, ...note.tags].some((text) => text.toLowerCase().includes(needle)),
        )
        .slice(0, limit)
        .map(({ note, index }) => ({ id: ids.assign(scope, String(index), index), title: note.title }));
      return { hits };
    },
  });

  const open = defineTool({
    name: 'notes_open',
    description: 'Read a note by the id a search returned (e.g. n2).',
    environmentTags: ['notes'],
    input: z.object({ id: z.string().regex(/^n\d+$/, 'use an id from notes_search, like n2') }),
    output: z.object({ title: z.string(), body: z.string(), tags: z.array(z.string()) }),
    annotations: { readOnlyHint: true },
    handler: ({ id }) => {
      const index = ids.resolve(scope, id) as number;
      const note = notes[index];
      if (note === undefined)
        throw new StaleEntityError(id, scope, 'stale', `${id} no longer exists. Search again.`);
      return note;
    },
  });

  return [add, search, open];
}
