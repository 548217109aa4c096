// The edge route's store. A merchant's is an InboxStore over a database the edge can reach
// over HTTP; the test's is one isolate's memory, enough to see the receiver run at the edge.
import { MemoryStore } from 'caspay-webhooks';

export const inboxStore = new MemoryStore();
