import type * as Transport from '@nats-io/transport-node';
import type * as JetStream from '@nats-io/jetstream';
import type * as Kv from '@nats-io/kv';

export interface NatsLib {
  transport: typeof Transport;
  jetstream: typeof JetStream;
  kv: typeof Kv;
}

let loaded: Promise<NatsLib> | undefined;

// The NATS client packages, loaded on first use: the one place that imports them, and only
// ever dynamically, so a single host (and every bundle's start) never loads them. They stay out
// of the bundles (scripts/bundle-apps.mjs).
export function natsLib(): Promise<NatsLib> {
  loaded ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream'), import('@nats-io/kv')]).then(([transport, jetstream, kv]) => ({
    transport,
    jetstream,
    kv,
  }));
  return loaded;
}
