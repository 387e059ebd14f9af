// The HTML of the approval server: a sign-in form, and the list of open questions with their
// context and a form per answer. Every value is escaped; the pages carry no script at all.
import { formatTime } from '@handrail/policy';
import { rejectEffect, type ApprovalRequest, type ApprovalTool } from './approval.js';

/**
 * Text made safe for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<b>"hi"</b>'); // '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const style = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1d2330; background: #f6f7f9; }
header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
h1 { font-size: 1.3rem; margin: .5rem 0; }
article { background: #fff; border: 1px solid #d6dae1; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
article h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dt { color: #5b6474; }
dd { margin: 0; }
pre { background: #f0f2f5; padding: .5rem .75rem; border-radius: 6px; white-space: pre-wrap; word-break: break-word; margin: .25rem 0; }
form { margin: .5rem 0; }
form.answer { display: flex; gap: .5rem; align-items: flex-start; flex-wrap: wrap; }
textarea, input[type=text], input[type=password] { font: inherit; padding: .35rem .5rem; border: 1px solid #b8bfcb; border-radius: 6px; min-width: 20rem; }
textarea { width: 100%; min-height: 5rem; font-family: ui-monospace, monospace; }
button { font: inherit; padding: .35rem .9rem; border-radius: 6px; border: 1px solid #8a94a6; background: #fff; cursor: pointer; }
button.approve { background: #1f7a3a; border-color: #1f7a3a; color: #fff; }
button.reject { background: #b3261e; border-color: #b3261e; color: #fff; }
.flash { background: #e7f4ea; border: 1px solid #9fd3ad; padding: .5rem .75rem; border-radius: 6px; }
.error { background: #fbe9e7; border: 1px solid #e6a39c; padding: .5rem .75rem; border-radius: 6px; }
.muted { color: #5b6474; }
`;

/** A whole page; `nonce` allows its one inline style under the server's Content-Security-Policy. */
export function page(title: string, body: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${escapeHtml(nonce)}">${style}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The sign-in form. */
export function loginPage(options: { title: string; nonce: string; error?: string }): string {
  return page(
    `Sign in · ${options.title}`,
    `<h1>${escapeHtml(options.title)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/login">
  <label>Approver token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <button type="submit">Sign in</button>
</form>`,
    options.nonce,
  );
}

/** A short page for errors and notices, with a way back. */
export function noticePage(options: { title: string; nonce: string; heading: string; text: string; back?: string }): string {
  return page(
    `${options.heading} · ${options.title}`,
    `<h1>${escapeHtml(options.heading)}</h1>
<p class="error" role="alert">${escapeHtml(options.text)}</p>
<p><a href="${escapeHtml(options.back ?? '/')}">Back</a></p>`,
    options.nonce,
  );
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    return String(value);
  }
}

function hidden(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
}

function toolSection(request: ApprovalRequest, tool: ApprovalTool, csrf: string): string {
  const action = `/approvals/${encodeURIComponent(request.id)}`;
  return `<section class="tool">
  <dl><dt>Tool call</dt><dd><code>${escapeHtml(tool.name)}</code>${tool.callId ? ` <span class="muted">(${escapeHtml(tool.callId)})</span>` : ''}</dd></dl>
  <pre class="arguments">${escapeHtml(json(tool.args))}</pre>
  <form method="post" action="${escapeHtml(action)}" class="edit">
    ${hidden(csrf)}<input type="hidden" name="kind" value="edit">${tool.callId ? `<input type="hidden" name="callId" value="${escapeHtml(tool.callId)}">` : ''}
    <label class="muted">Arguments (JSON)<textarea name="args" spellcheck="false">${escapeHtml(json(tool.args))}</textarea></label>
    <button type="submit">Run with these arguments</button>
  </form>
</section>`;
}

function card(request: ApprovalRequest, csrf: string): string {
  const { decision } = request;
  const action = `/approvals/${encodeURIComponent(request.id)}`;
  const tools = request.tools ?? (request.tool ? [request.tool] : []);
  const policy = `${decision.policy.name}${decision.policy.version ? ` ${decision.policy.version}` : ''}`;
  return `<article id="approval-${escapeHtml(request.id)}" data-approval-id="${escapeHtml(request.id)}">
  <h2 class="prompt">${escapeHtml(request.prompt)}</h2>
  <dl>
    ${request.agent ? `<dt>Agent</dt><dd>${escapeHtml(request.agent)}${request.sender ? ` answering ${escapeHtml(request.sender)}` : ''}</dd>` : ''}
    <dt>Rule</dt><dd class="rule">${escapeHtml(decision.rule ?? '(none)')}</dd>
    <dt>Reason</dt><dd class="reason">${escapeHtml(decision.reason)}</dd>
    <dt>Policy</dt><dd class="policy">${escapeHtml(policy)} <code class="muted">${escapeHtml(decision.policy.hash)}</code></dd>
    <dt>Reject</dt><dd class="on-reject">${escapeHtml(rejectEffect(request))}</dd>
    <dt>No answer</dt><dd>${escapeHtml(decision.onNoInput)}${request.expiresAt ? ` at ${escapeHtml(formatTime(request.expiresAt))}` : ''}</dd>
    <dt>Run</dt><dd><code>${escapeHtml(request.runId)}</code> · asked ${escapeHtml(request.createdAt)}</dd>
  </dl>
  ${request.message ? `<div class="message"><span class="muted">Message (${escapeHtml(request.message.role)}${request.message.name ? `, ${escapeHtml(request.message.name)}` : ''})</span><pre>${escapeHtml(request.message.content ?? '')}</pre></div>` : ''}
  ${tools.map((tool) => toolSection(request, tool, csrf)).join('\n')}
  <form method="post" action="${escapeHtml(action)}" class="answer">
    ${hidden(csrf)}<input type="hidden" name="kind" value="approve">
    <button type="submit" class="approve">Approve</button>
  </form>
  <form method="post" action="${escapeHtml(action)}" class="answer">
    ${hidden(csrf)}<input type="hidden" name="kind" value="reject">
    <input type="text" name="message" placeholder="Why (optional)" aria-label="Reason for rejecting">
    <button type="submit" class="reject">Reject</button>
  </form>
  <form method="post" action="${escapeHtml(action)}" class="answer">
    ${hidden(csrf)}<input type="hidden" name="kind" value="reply">
    <textarea name="text" placeholder="Reply to ${escapeHtml(request.sender ?? 'the sender')}" aria-label="Reply" required></textarea>
    <button type="submit">Send reply</button>
  </form>
</article>`;
}

/** The list of open questions for a signed-in approver. */
export function approvalsPage(options: { title: string; nonce: string; approver: string; csrf: string; pending: readonly ApprovalRequest[]; flash?: string; error?: string }): string {
  const { pending } = options;
  return page(
    options.title,
    `<header>
  <h1>${escapeHtml(options.title)}</h1>
  <form method="post" action="/logout">${hidden(options.csrf)}<span class="muted">Signed in as <strong class="approver">${escapeHtml(options.approver)}</strong></span> <button type="submit">Sign out</button></form>
</header>
${options.flash ? `<p class="flash" role="status">${escapeHtml(options.flash)}</p>` : ''}
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<p class="muted"><span class="count">${pending.length}</span> waiting · <a href="/">Refresh</a></p>
${pending.length ? pending.map((request) => card(request, options.csrf)).join('\n') : '<p class="empty">Nothing is waiting for an answer.</p>'}`,
    options.nonce,
  );
}
