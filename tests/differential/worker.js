// The differential fuzzer's workerd host: the package's Workers build, bundled as wrangler
// would, runs the cases POSTed to it and answers their outcomes.
import * as api from 'caspay-webhooks';
import { runCases } from './host.js';

export default {
  /** @param {Request} request */
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST the cases', { status: 405 });
    return Response.json(runCases(api, await request.json()));
  },
};
