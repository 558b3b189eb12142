/**
 * Admin: the audit log entries matching the filters of /staff/audit, as CSV (every page). The
 * download is itself audited (src/lib/audit/audit.ts exportAudit). Admin-only like the audit page (the
 * /staff/audit rule in src/lib/staff/access.ts).
 */
import type { APIRoute } from 'astro';
import { exportAudit, parseAuditQuery } from '../../../lib/audit/index.ts';
import { requestIp } from '../../../lib/platform/index.ts';

export const GET: APIRoute = async (context) => {
  const { locals, url } = context;
  const staff = locals.staff!;
  const parsed = parseAuditQuery(url.searchParams);
  if (!parsed.ok) {
    return new Response(
      `${Object.values(parsed.errors).join('.\n')}.\nGo back to the audit log, correct the dates and download again.\n`,
      {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      },
    );
  }
  const result = await exportAudit(locals.runtime, parsed.query, { id: staff.id, ip: requestIp(context) });
  if (!result.ok) {
    const back = new URLSearchParams(url.searchParams);
    back.set('export', 'too-many');
    return context.redirect(`/staff/audit?${back}`, 303);
  }
  const day = locals.runtime.now().toISOString().slice(0, 10);
  return new Response(result.csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-log-${day}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
};
