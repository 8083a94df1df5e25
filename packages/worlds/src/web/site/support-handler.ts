/** POST /support: server-side validation of the contact form, then a ticket. */
import type { PageContext } from './page-context';
import { SUPPORT_TOPICS, supportPage } from './support-pages';
import type { RouteResult } from './task-site-server';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const SUPPORT_FIELDS = ['name', 'email', 'topic', 'subject', 'orderNumber', 'message'] as const;

export function handleSupport(ctx: PageContext, form: URLSearchParams): RouteResult {
  const { state, site } = ctx;
  const labels = site.conventions.supportLabels;
  const values: Record<string, string> = {};
  for (const f of SUPPORT_FIELDS) values[f] = (form.get(f) ?? '').trim();
  values.urgent = form.get('urgent') === 'yes' ? 'yes' : '';
  const errors: string[] = [];
  if (!EMAIL.test(values.email ?? '')) errors.push(`${labels.email} must be a valid email address.`);
  if (!SUPPORT_TOPICS.includes(values.topic ?? ''))
    errors.push(`Choose a ${labels.topic.toLowerCase().replace(/\?$/, '')}.`);
  if ((values.message ?? '').length < 10) errors.push(`${labels.message} must be at least 10 characters.`);
  if (errors.length > 0) {
    state.events.push({ kind: 'ticket-rejected', path: ctx.path, detail: errors.join(' ') });
    return { status: 422, html: supportPage(ctx, values, errors) };
  }
  const number = `T-${501 + state.tickets.length}`;
  const ticket = { number, siteKey: site.key, fields: { ...values, urgent: values.urgent ? 'yes' : 'no' } };
  state.tickets.push(state.signedIn ? { ...ticket, user: state.signedIn } : ticket);
  state.events.push({ kind: 'ticket', path: ctx.path, detail: number });
  return { redirect: `/support/thanks/${number}` };
}
