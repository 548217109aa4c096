// A test Worker that runs the shared vectors inside workerd against the package's Workers
// entry, bundled exactly like the example receiver. GET /vectors answers the results.
import * as api from 'caspay-webhooks';
import { runVectors } from '../shared/vector-runner.js';
import signature from '../vectors/signature.json';
import parse from '../vectors/parse.json';
import construct from '../vectors/construct.json';

export default {
  /** @param {Request} request */
  fetch(request) {
    if (new URL(request.url).pathname !== '/vectors') return new Response('not found', { status: 404 });
    return Response.json(runVectors(api, { signature, parse, construct }));
  },
};
