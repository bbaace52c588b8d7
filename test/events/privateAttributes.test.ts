// Private attributes never leave the process. Contexts full of attributes made private in every
// way LaunchDarkly allows go through every event kind to a loopback LaunchDarkly; no private
// value may appear in any request body, every public one must, and `_meta.redactedAttributes`
// must list exactly what was removed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/validateOptions.js';
import { toContext, type Context } from '../../src/context.js';
import { DataSet } from '../../src/data/dataSet.js';
import { parseAllData } from '../../src/data/parseAllData.js';
import { Evaluator } from '../../src/evaluation/evaluator.js';
import { EventProcessor, type EventsConfig } from '../../src/events/processor.js';
import { ContextRedactor } from '../../src/events/redaction.js';
import { silentLogger } from '../../src/logging.js';
import { startMockLaunchDarkly, type MockLaunchDarkly } from '../helpers/mockLaunchDarkly.js';
import { Random } from '../helpers/random.js';

type Json = Record<string, unknown>;

function ctx(input: unknown): Context {
  const c = toContext(input);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

const escapeRef = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');
/** How LaunchDarkly names a literal attribute in `redactedAttributes`. */
const literalName = (name: string) => (name.startsWith('/') ? `/${escapeRef(name)}` : name);

describe('private attributes: exact redaction', () => {
  const redact = (input: unknown, privateAttributes: string[] = [], all = false, anonymous = false) =>
    new ContextRedactor(all, privateAttributes).redact(ctx(input), anonymous);

  it('removes configured names and references, nested ones included, listing the text used', () => {
    const out = redact(
      {
        kind: 'user',
        key: 'k',
        email: 'e',
        name: 'n',
        address: { street: 's', city: 'c', geo: { lat: 1, lng: 2 } },
        'a/b': 'slash',
        tags: ['x'],
      },
      ['email', '/address/street', '/address/geo/lat', '/a~1b', '/tags/0', '/missing', '/address/nope/x'],
    );
    expect(out).toStrictEqual({
      kind: 'user',
      key: 'k',
      name: 'n',
      address: { city: 'c', geo: { lng: 2 } },
      tags: ['x'], // references never reach inside arrays
      _meta: { redactedAttributes: ['/address/geo/lat', '/address/street', '/a~1b', 'email'] },
    });
  });

  it('honours _meta.privateAttributes per context, and never sends it', () => {
    const out = redact({
      kind: 'org',
      key: 'o',
      secret: 1,
      deep: { x: { y: 2, z: 3 } },
      _meta: { privateAttributes: ['secret', '/deep/x/y'], other: true },
    });
    expect(out).toStrictEqual({
      kind: 'org',
      key: 'o',
      deep: { x: { z: 3 } },
      _meta: { redactedAttributes: ['/deep/x/y', 'secret'] },
    });
    expect(redact({ kind: 'org', key: 'o', a: 1, _meta: { privateAttributes: [] } })).toStrictEqual({
      kind: 'org',
      key: 'o',
      a: 1,
    });
  });

  it('never redacts key, kind or anonymous, and ignores invalid references', () => {
    const out = redact(
      { kind: 'user', key: 'k', anonymous: true, a: 1, _meta: { privateAttributes: ['key', '/kind', 'anonymous', '/', '', '/a//b', '/~2'] } },
      ['key', '/anonymous', '/_meta', 'kind'],
    );
    expect(out).toStrictEqual({ kind: 'user', key: 'k', a: 1, anonymous: true });
  });

  it('allAttributesPrivate removes everything but key, kind and anonymous; name too', () => {
    const out = redact({ kind: 'user', key: 'k', name: 'n', anonymous: false, '/odd': 1, obj: { a: 1 } }, [], true);
    expect(out).toStrictEqual({
      kind: 'user',
      key: 'k',
      anonymous: false,
      _meta: { redactedAttributes: ['/~1odd', 'name', 'obj'] },
    });
  });

  it('the anonymous variant removes every attribute of anonymous contexts only', () => {
    const multi = {
      kind: 'multi',
      user: { key: 'u', anonymous: true, name: 'n', x: 1 },
      org: { key: 'o', name: 'acme', _meta: { privateAttributes: ['name'] } },
    };
    expect(redact(multi, [], false, true)).toStrictEqual({
      kind: 'multi',
      user: { key: 'u', anonymous: true, _meta: { redactedAttributes: ['name', 'x'] } },
      org: { key: 'o', _meta: { redactedAttributes: ['name'] } },
    });
    expect(redact(multi)).toStrictEqual({
      kind: 'multi',
      user: { key: 'u', anonymous: true, name: 'n', x: 1 },
      org: { key: 'o', _meta: { redactedAttributes: ['name'] } },
    });
  });

  it('converts an older user object, honouring privateAttributeNames as literal names', () => {
    const out = redact(
      {
        key: 'legacy',
        secondary: 'gone',
        name: 'Ann',
        email: 'a@example.com',
        ip: '10.0.0.1',
        country: 'NZ',
        firstName: 7,
        anonymous: 'yes',
        custom: { plan: 'pro', '/slash': 's', groups: ['a'] },
        privateAttributeNames: ['email', '/slash', 'groups'],
      },
      ['ip', '/plan'],
    );
    expect(out).toStrictEqual({
      kind: 'user',
      key: 'legacy',
      name: 'Ann',
      country: 'NZ',
      firstName: '7', // builtins are strings in LaunchDarkly's user schema
      anonymous: true,
      _meta: { redactedAttributes: ['/plan', '/~1slash', 'email', 'groups', 'ip'] },
    });
  });

  it('copies contexts into plain JSON, dropping cycles and values JSON cannot hold', () => {
    const loop: Json = { a: 1 };
    loop.self = loop;
    const out = redact({ kind: 'user', key: 'k', loop, f: () => 1, big: 10n, when: new Date(0), n: NaN, arr: [undefined, 1] });
    expect(out).toStrictEqual({
      kind: 'user',
      key: 'k',
      loop: { a: 1 },
      when: '1970-01-01T00:00:00.000Z',
      n: null,
      arr: [null, 1],
    });
    expect(() => JSON.stringify(out)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// The randomised test.

/** How one attribute is made private (or not). */
type Mode = 'public' | 'global' | 'meta' | 'both' | 'nested' | 'legacyName';

interface Generated {
  /** The context as the caller passes it. */
  input: Json;
  /** Per kind: the names expected in redactedAttributes (before the anonymous rule). */
  expectedRedacted: Map<string, string[]>;
  /** Per kind: every top-level attribute name, for allAttributesPrivate and anonymous redaction. */
  allNames: Map<string, string[]>;
  anonymousKinds: Set<string>;
  key: string;
  /** The key of every kind, to find the context an event describes. */
  memberKeys: string[];
}

class Markers {
  private n = 0;
  readonly secrets: string[] = [];
  readonly publics: string[] = [];
  readonly data: string[] = [];
  private make(prefix: string, into: string[]): string {
    const m = `${prefix}${String(++this.n).padStart(7, '0')}Q`;
    into.push(m);
    return m;
  }
  secret(): string {
    return this.make('SECRETX', this.secrets);
  }
  public(): string {
    return this.make('PUBLICX', this.publics);
  }
  datum(): string {
    return this.make('DATAXXX', this.data);
  }
}

class Generator {
  private names = 0;
  private keys = 0;
  readonly globalRefs: string[] = ['key', '/kind', 'anonymous']; // ignored: never private

  constructor(
    private readonly rng: Random,
    readonly markers: Markers,
  ) {}

  /** A name unique across the whole run, with awkward characters (`/`, `~`, unicode). */
  private name(): string {
    const base = this.rng.string(6);
    const lead = this.rng.chance(0.2) ? '/' : '';
    return `${lead}${base}_${++this.names}`;
  }

  /** A reference to a top-level attribute: the plain name when that is unambiguous, else a path. */
  private topRef(name: string): string {
    return name.startsWith('/') || this.rng.chance(0.5) ? `/${escapeRef(name)}` : name;
  }

  private publicValue(depth = 0): unknown {
    switch (this.rng.int(depth > 1 ? 2 : 4)) {
      case 0:
        return this.markers.public();
      case 1:
        return [this.markers.public(), this.rng.int(100)];
      case 2:
        return { [this.name()]: this.markers.public(), n: this.rng.int(10) };
      default:
        return { inner: this.publicValue(depth + 1) };
    }
  }

  private secretValue(): unknown {
    switch (this.rng.int(3)) {
      case 0:
        return this.markers.secret();
      case 1:
        return [this.markers.secret(), { deep: this.markers.secret() }];
      default:
        return { a: this.markers.secret(), b: { c: this.markers.secret() } };
    }
  }

  /** One kind's attributes; `legacy` for an older user's custom attributes. */
  private attributes(
    metaRefs: string[],
    expected: string[],
    names: string[],
    legacyNames: string[] | undefined,
  ): Json {
    const attrs: Json = {};
    const count = 1 + this.rng.int(6);
    for (let i = 0; i < count; i++) {
      const name = this.name();
      names.push(name);
      const modes: Mode[] = ['public', 'public', 'global', 'meta', 'both', 'nested'];
      if (legacyNames !== undefined) modes.push('legacyName', 'legacyName');
      let mode = this.rng.pick(modes);
      if (legacyNames !== undefined && (mode === 'meta' || mode === 'both')) mode = 'legacyName';
      switch (mode) {
        case 'public':
          attrs[name] = this.publicValue();
          break;
        case 'global': {
          const ref = this.topRef(name);
          this.globalRefs.push(ref);
          expected.push(ref);
          attrs[name] = this.secretValue();
          break;
        }
        case 'meta': {
          const ref = this.topRef(name);
          metaRefs.push(ref);
          expected.push(ref);
          attrs[name] = this.secretValue();
          break;
        }
        case 'both': {
          // The configured reference is found first, so it is the one listed.
          const ref = this.topRef(name);
          this.globalRefs.push(ref);
          metaRefs.push(`/${escapeRef(name)}`);
          expected.push(ref);
          attrs[name] = this.secretValue();
          break;
        }
        case 'legacyName':
          legacyNames!.push(name);
          expected.push(literalName(name));
          attrs[name] = this.secretValue();
          break;
        case 'nested': {
          // Private leaves at two depths; their siblings stay.
          const leaf = this.name();
          const deeper = this.name();
          const leafRef = `/${escapeRef(name)}/${escapeRef(leaf)}`;
          const deepRef = `/${escapeRef(name)}/${escapeRef(deeper)}/x`;
          const refs = legacyNames !== undefined || this.rng.chance(0.5) ? this.globalRefs : metaRefs;
          refs.push(leafRef, deepRef);
          expected.push(leafRef, deepRef);
          attrs[name] = {
            [leaf]: this.secretValue(),
            kept: this.markers.public(),
            [deeper]: { x: this.markers.secret(), y: this.markers.public() },
          };
          break;
        }
      }
    }
    return attrs;
  }

  /** A single-kind body (without `kind`), for a context or a multi-kind member. */
  private member(kind: string, out: Generated): Json {
    const metaRefs: string[] = [];
    const expected: string[] = [];
    const names: string[] = [];
    const body: Json = { key: out.key + (kind === 'user' ? '' : `-${kind}`) };
    out.memberKeys.push(body.key as string);
    Object.assign(body, this.attributes(metaRefs, expected, names, undefined));
    if (this.rng.chance(0.3)) {
      body.anonymous = true;
      out.anonymousKinds.add(kind);
    }
    if (metaRefs.length > 0 || this.rng.chance(0.2)) {
      // Entries that must change nothing ride along.
      body._meta = { privateAttributes: [...metaRefs, 'key', 'kind', '/nowhere', '/a//b'] };
    }
    out.expectedRedacted.set(kind, expected.sort());
    out.allNames.set(kind, names.map(literalName).sort());
    return body;
  }

  context(): Generated {
    const key = `key-${++this.keys}-${this.rng.string(4)}`;
    const out: Generated = {
      input: {},
      expectedRedacted: new Map(),
      allNames: new Map(),
      anonymousKinds: new Set(),
      key,
      memberKeys: [],
    };
    const shape = this.rng.int(3);
    if (shape === 0) {
      const kind = this.rng.pick(['user', 'org', 'device']);
      out.input = { kind, ...this.member(kind, out) };
      return out;
    }
    if (shape === 1) {
      const kinds = this.rng.chance(0.5) ? ['user', 'org'] : ['org', 'device', 'user'];
      out.input = { kind: 'multi' };
      for (const kind of kinds) out.input[kind] = this.member(kind, out);
      return out;
    }
    return this.legacyUser(out);
  }

  /** An older user object: builtins and custom attributes, private by name or configuration. */
  private legacyUser(out: Generated): Generated {
    const legacyNames: string[] = [];
    const expected: string[] = [];
    const names: string[] = [];
    const custom = this.attributes([], expected, names, legacyNames);
    const input: Json = { key: out.key, custom, secondary: this.markers.secret() };
    out.memberKeys.push(out.key);
    for (const builtin of ['name', 'email', 'firstName', 'lastName', 'avatar', 'ip', 'country']) {
      if (this.rng.chance(0.4)) continue;
      names.push(builtin);
      if (this.rng.chance(0.5)) {
        input[builtin] = this.markers.public();
      } else {
        input[builtin] = this.markers.secret();
        legacyNames.push(builtin);
        expected.push(builtin);
      }
    }
    if (this.rng.chance(0.3)) {
      input.anonymous = true;
      out.anonymousKinds.add('user');
    }
    input.privateAttributeNames = [...legacyNames, 'key'];
    out.input = input;
    out.expectedRedacted.set('user', expected.sort());
    out.allNames.set('user', names.map(literalName).sort());
    return out;
  }
}

describe('private attributes: randomised, through every event kind', () => {
  let ld: MockLaunchDarkly;

  beforeEach(async () => {
    ld = await startMockLaunchDarkly();
  });

  afterEach(async () => {
    await ld.close();
  });

  const flags = DataSet.from(parseAllData({
    flags: {
      tracked: { key: 'tracked', version: 1, on: true, variations: [1, 2], fallthrough: { variation: 0 }, trackEvents: true, salt: 's' },
      debugged: {
        key: 'debugged',
        version: 1,
        on: true,
        variations: [1, 2],
        fallthrough: { variation: 1 },
        debugEventsUntilDate: Date.now() + 3_600_000,
        salt: 's',
      },
    },
    segments: {},
  }, 'flag data'));
  const evaluator = new Evaluator(flags);

  /** Every context of an event, by the event's kind, with the member of each kind. */
  function membersOf(context: Json): Map<string, Json> {
    const out = new Map<string, Json>();
    if (context.kind === 'multi') {
      for (const [k, v] of Object.entries(context)) if (k !== 'kind') out.set(k, v as Json);
    } else {
      out.set(context.kind as string, context);
    }
    return out;
  }

  for (const allAttributesPrivate of [false, true]) {
    for (const seed of [1, 7, 42, 1234, 98765]) {
      it(`seed ${seed}${allAttributesPrivate ? ', allAttributesPrivate' : ''}`, async () => {
        const rng = new Random(seed);
        const markers = new Markers();
        const gen = new Generator(rng, markers);
        const generated = Array.from({ length: 12 }, () => gen.context());
        const config: EventsConfig = {
          ...makeConfig('sdk-key', { eventsUri: ld.baseUri, logger: silentLogger }),
          allAttributesPrivate,
          privateAttributes: gen.globalRefs,
        };
        const ep = new EventProcessor(config, { retryDelayMs: 10 });
        for (const g of generated) {
          const context = ctx(g.input);
          for (const key of ['tracked', 'debugged']) {
            ep.recordEvaluation(key, context, evaluator.evaluate(flags.flag(key)!, context), 0, true);
          }
          ep.recordCustom('custom', context, { note: markers.datum() }, 1);
          ep.recordIdentify(context);
        }
        await ep.close();

        const bodies = ld.events.payloads.map((p) => p.body).join('\n');
        expect(ld.events.payloads.length).toBeGreaterThan(0);
        const leaked = markers.secrets.filter((m) => bodies.includes(m));
        expect(leaked).toStrictEqual([]);
        const expectedVisible = allAttributesPrivate ? markers.data : [...markers.publics, ...markers.data];
        expect(expectedVisible.filter((m) => !bodies.includes(m))).toStrictEqual([]);
        if (allAttributesPrivate) expect(markers.publics.filter((m) => bodies.includes(m))).toStrictEqual([]);
        expect(bodies).not.toContain('privateAttributes');
        expect(bodies).not.toContain('privateAttributeNames');

        // Every context of every event lists exactly what was removed from it.
        const events = ld.events.bulk.flat() as Json[];
        const byKey = new Map(generated.flatMap((g) => g.memberKeys.map((k) => [k, g] as const)));
        const kindsSeen = new Map<string, number>();
        for (const event of events) {
          if (event.kind === 'summary') continue;
          kindsSeen.set(event.kind as string, (kindsSeen.get(event.kind as string) ?? 0) + 1);
          const members = membersOf(event.context as Json);
          const g = byKey.get(String([...members.values()][0].key));
          expect(g, `event for a generated context: ${JSON.stringify(event)}`).toBeDefined();
          const anonymousRule = event.kind === 'feature' || event.kind === 'custom';
          for (const [kind, member] of members) {
            const redactAll = allAttributesPrivate || (anonymousRule && g!.anonymousKinds.has(kind));
            const expected = redactAll ? g!.allNames.get(kind)! : g!.expectedRedacted.get(kind)!;
            const listed = (member._meta as { redactedAttributes?: string[] } | undefined)?.redactedAttributes ?? [];
            expect(listed, `${event.kind} event, kind ${kind}`).toStrictEqual(expected);
            if (member._meta !== undefined) expect(Object.keys(member._meta as Json)).toStrictEqual(['redactedAttributes']);
          }
        }
        for (const kind of ['index', 'feature', 'debug', 'custom', 'identify']) {
          expect(kindsSeen.get(kind), kind).toBe(generated.length);
        }
      });
    }
  }
});
