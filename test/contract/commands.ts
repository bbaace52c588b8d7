/**
 * The harness's commands to one client (`POST /clients/<id>`), answered through ldedge's public
 * client API.
 */
import type { LDBigSegments, LDClient, LDContext, LDFlagValue } from '../../src/index.js';
import { buildContext, contextsEqual, convertContext, type BuildParams, type ComparisonParams } from './contexts.js';

/** A request the service cannot make sense of: answered with 400. */
export class BadCommand extends Error {}

interface Subject {
  context?: LDContext | null;
  user?: LDContext | null;
}

interface EvaluateParams extends Subject {
  flagKey: string;
  valueType: 'bool' | 'int' | 'double' | 'string' | 'any';
  defaultValue: LDFlagValue;
  detail?: boolean;
}

interface EvaluateAllParams extends Subject {
  withReasons?: boolean;
  clientSideOnly?: boolean;
  detailsOnlyForTrackedFlags?: boolean;
}

interface CustomEventParams extends Subject {
  eventKey: string;
  data?: LDFlagValue;
  omitNullData?: boolean;
  metricValue?: number | null;
}

export interface Command {
  command: string;
  evaluate?: EvaluateParams;
  evaluateAll?: EvaluateAllParams;
  identifyEvent?: Subject;
  customEvent?: CustomEventParams;
  secureModeHash?: Subject;
  contextBuild?: { single?: BuildParams | null; multi?: BuildParams[] | null };
  contextConvert?: { input: string };
  contextComparison?: { context1: ComparisonParams; context2: ComparisonParams };
}

function params<T>(value: T | undefined, command: string): T {
  if (value === undefined || value === null) throw new BadCommand(`command "${command}" needs its parameters`);
  return value;
}

/** The harness sends old user JSON as `user`, contexts as `context`; ldedge takes either. */
function subject(p: Subject): LDContext {
  return (p.context ?? p.user) as LDContext;
}

function evaluate(client: LDClient, p: EvaluateParams): unknown {
  const context = subject(p);
  const key = p.flagKey;
  const def = p.defaultValue;
  const detail = p.detail === true;
  switch (p.valueType) {
    case 'bool':
      return detail
        ? client.boolVariationDetail(key, context, def as boolean)
        : { value: client.boolVariation(key, context, def as boolean) };
    case 'int':
    case 'double': {
      const result = detail
        ? client.numberVariationDetail(key, context, def as number)
        : { value: client.numberVariation(key, context, def as number) };
      // Typed integer calls of LaunchDarkly's SDKs round towards zero.
      return p.valueType === 'int' ? { ...result, value: Math.trunc(result.value) } : result;
    }
    case 'string':
      return detail
        ? client.stringVariationDetail(key, context, def as string)
        : { value: client.stringVariation(key, context, def as string) };
    default:
      return detail ? client.jsonVariationDetail(key, context, def) : { value: client.jsonVariation(key, context, def) };
  }
}

/**
 * Runs one command; resolves to the JSON body of the answer, or undefined for an empty one.
 * Evaluations are preceded by the prefetches ldedge's README describes: of what the flag needs
 * from a persistent store (`client.prefetch`), and of the context's big-segment membership.
 */
export async function runCommand(client: LDClient, body: Command, big?: LDBigSegments): Promise<unknown> {
  const name = body.command;
  switch (name) {
    case 'evaluate': {
      const p = params(body.evaluate, name);
      await client.prefetch(p.flagKey);
      await big?.prefetch(subject(p), p.flagKey);
      return evaluate(client, p);
    }
    case 'evaluateAll': {
      const p = params(body.evaluateAll, name);
      await client.prefetch();
      await big?.prefetch(subject(p));
      const state = client.allFlagsState(subject(p), {
        withReasons: p.withReasons === true,
        clientSideOnly: p.clientSideOnly === true,
        detailsOnlyForTrackedFlags: p.detailsOnlyForTrackedFlags === true,
      });
      return { state: state.toJSON() };
    }
    case 'identifyEvent':
      client.identify(subject(params(body.identifyEvent, name)));
      return undefined;
    case 'customEvent': {
      const p = params(body.customEvent, name);
      const data = p.data ?? null;
      const metric = p.metricValue ?? undefined;
      // The harness's rule for which of the SDKs' track overloads to call.
      if (data === null && metric === undefined && p.omitNullData) client.track(p.eventKey, subject(p));
      else if (metric === undefined) client.track(p.eventKey, subject(p), data);
      else client.track(p.eventKey, subject(p), data, metric);
      return undefined;
    }
    case 'flush':
    case 'flushEvents':
      // Starts delivery; the harness waits for the payload at its own endpoint.
      void client.flush();
      return undefined;
    case 'secureModeHash':
      return { result: await client.secureModeHash(subject(params(body.secureModeHash, name))) };
    case 'getBigSegmentStoreStatus': {
      if (big === undefined) throw new BadCommand('this client has no big segments configured');
      const { available, stale } = await big.currentStatus();
      return { available, stale };
    }
    case 'contextBuild':
      return buildContext(params(body.contextBuild, name));
    case 'contextConvert':
      return convertContext(params(body.contextConvert, name).input);
    case 'contextComparison': {
      const p = params(body.contextComparison, name);
      return { equals: contextsEqual(p.context1, p.context2) };
    }
    default:
      throw new BadCommand(`unknown command "${name}"`);
  }
}
