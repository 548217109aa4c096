// Middleware runs on the edge runtime (Next.js 15 and 16): the package's edge-light build.
// It answers /api/middleware-probe itself with the outcome of verifying the request.
import { constructEvent, eventTypes, WebhookError } from 'caspay-webhooks';

export async function middleware(request: Request): Promise<Response> {
  try {
    const event = constructEvent(await request.arrayBuffer(), request.headers, process.env.CASPAY_WEBHOOK_SECRET ?? '');
    return Response.json({ type: event.type, key: event.idempotencyKey, knownTypes: eventTypes().length, runtime: process.env.NEXT_RUNTIME });
  } catch (error) {
    if (error instanceof WebhookError) return Response.json({ error: error.code }, { status: error.httpStatus });
    throw error;
  }
}

export const config = { matcher: '/api/middleware-probe' };
