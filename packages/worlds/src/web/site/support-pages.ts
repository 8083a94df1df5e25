/**
 * The contact/support form (labels per variant, server-side validation) and the login flow.
 */
import { type Html, html } from './html';
import { messages, renderPage } from './layout';
import { type PageContext, siteUrl } from './page-context';
import type { SupportField } from './site-variant';

export const SUPPORT_TOPICS = ['Shipping', 'Returns', 'Billing', 'Product question', 'Other'];

/** Accounts of the login flow (the task goals hand these out). */
export const SITE_USERS: Readonly<Record<string, string>> = {
  ann: 'tulip-42',
  ben: 'maple-19',
  cleo: 'orbit-88',
};

export function supportPage(
  ctx: PageContext,
  values: Record<string, string> = {},
  errors: string[] = [],
): string {
  const labels = ctx.site.conventions.supportLabels;
  const text = (name: SupportField, type = 'text', required = false): Html =>
    html`<label>${labels[name]} <input type="${type}" name="${name}" value="${values[name] ?? ''}"${required ? html` required` : ''}></label>`;
  const body = html`<h1>Contact support</h1>
${messages(undefined, errors)}
${ctx.state.signedIn ? html`<p>Signed in as ${ctx.state.signedIn}.</p>` : html`<p>You are not signed in. <a href="${siteUrl(ctx, '/login?next=/support')}">Sign in</a></p>`}
<form method="post" action="${siteUrl(ctx, '/support')}" aria-label="Support request">
${text('name')}
${text('email', 'email', true)}
<label>${labels.topic} <select name="topic" required><option value="">Choose…</option>
${SUPPORT_TOPICS.map((t) => html`<option${values.topic === t ? html` selected` : ''}>${t}</option>`)}
</select></label>
${text('subject')}
${text('orderNumber')}
<label>${labels.message} <textarea name="message" rows="4" required>${values.message ?? ''}</textarea></label>
<label><input type="checkbox" name="urgent" value="yes"${values.urgent ? html` checked` : ''}> ${labels.urgent}</label>
<button type="submit">Send message</button>
</form>`;
  return renderPage(ctx, { title: 'Support', body });
}

export function ticketPage(ctx: PageContext, number: string): string | undefined {
  if (!ctx.state.tickets.some((t) => t.number === number)) return undefined;
  return renderPage(ctx, {
    title: 'Message sent',
    body: html`<h1>Message sent</h1><p role="status">Ticket ${number} received. We reply within two days.</p>`,
  });
}

export function loginPage(ctx: PageContext, error?: string, username = ''): string {
  const next = ctx.query.get('next') ?? '/account';
  return renderPage(ctx, {
    title: 'Sign in',
    body: html`<h1>Sign in</h1>
${messages(undefined, error ? [error] : [])}
<form method="post" action="${siteUrl(ctx, `/login?next=${encodeURIComponent(next)}`)}" aria-label="Sign in">
<label>Username <input type="text" name="username" value="${username}" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  });
}
