import { Construct } from 'constructs';
import { ResolvedProps, forwardedRows, propSpec, resolveProps } from '../../src/props';
import { Problems, isDnsLabel, show } from '../../src/validation';
import { SANDBOX_RUNTIME_PROPS, SandboxRuntime, SandboxRuntimeProps } from './sandbox-runtime';

export interface SandboxFleetProps extends Omit<SandboxRuntimeProps, 'sid'> {
  /** The session ids, each rendered as a `SandboxRuntime`. @default - `count` ids `<sidPrefix>-1` ... `<sidPrefix>-<count>` */
  readonly sids?: readonly string[];
  /** How many sessions to render when `sids` is not given. @default - required unless `sids` is given */
  readonly count?: number;
  /** Prefix of generated session ids. @default 'session' */
  readonly sidPrefix?: string;
}

const PROPS = propSpec<SandboxFleetProps>()('SandboxFleet', {
  ...forwardedRows(SANDBOX_RUNTIME_PROPS, 'sid'),
  sids: {},
  count: {},
  sidPrefix: { default: 'session' },
});
const SID_ALLOWED = 'a session id of 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit';

function isSid(v: unknown): v is string {
  return isDnsLabel(v) && v.length <= 32;
}

/** The session ids: the ones given, or `count` of them made from the prefix. */
function resolveSids(p: Problems, { sids: given, count, sidPrefix: prefix }: ResolvedProps<typeof PROPS>): readonly string[] {
  if ((given === undefined) === (count === undefined)) {
    p.addRaw(`give exactly one of sids and count, got ${given === undefined ? 'neither' : 'both'}`);
  } else if (given !== undefined) {
    if (!Array.isArray(given)) {
      p.add('sids', given, 'a list of session ids');
      return [];
    }
    const seen = new Map<string, number>();
    given.forEach((sid, i) => {
      // Each id also names a construct: refuse it here, before an empty one breaks the construct tree.
      if (!isSid(sid)) p.add(`sids[${i}]`, sid, SID_ALLOWED);
      else if (seen.has(sid)) p.add(`sids[${i}]`, sid, `unique (sids[${seen.get(sid)}] is also ${show(sid)})`);
      seen.set(sid, i);
    });
    return given;
  } else if (p.nonNegativeInt('count', count, 100_000)) {
    if (p.check(isDnsLabel(prefix) && prefix.length + 1 + String(count).length <= 32,
      'sidPrefix', prefix, `a DNS label short enough that "<sidPrefix>-${count}" fits in 32 characters`)) {
      return Array.from({ length: count as number }, (_, i) => `${prefix}-${i + 1}`);
    }
  }
  return [];
}

/** Many sandbox sessions sharing one config: one `SandboxRuntime` per session id, names kept unique. */
export class SandboxFleet extends Construct {
  /** The sessions, in order. */
  public readonly sessions: readonly SandboxRuntime[];

  constructor(scope: Construct, id: string, props: SandboxFleetProps) {
    super(scope, id);
    const sids = resolveProps(this, props, PROPS, resolveSids);
    const { sids: _sids, count: _count, sidPrefix: _sidPrefix, ...shared } = props;
    this.sessions = sids.map(sid => new SandboxRuntime(this, sid, { ...shared, sid }));
  }
}
