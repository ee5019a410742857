import { App } from 'cdk8s';
import { LocalHandsValidationError } from '../src/validation';

/**
 * Refuses a stack whose charts (or KIND config) would take ids the app already has, before anything is added: the
 * same stack twice, two stacks sharing ids (every profile has `mirrord-rbac`, say), or a chart of the user's. Without
 * it the constructs library would refuse the second chart with a message about construct trees.
 */
export function claimIds(app: App, stack: string, ids: readonly string[]): void {
  const taken = ids.filter(id => app.node.tryFindChild(id) !== undefined);
  if (taken.length === 0) return;
  const first = app.node.tryFindChild(taken[0])!;
  throw new LocalHandsValidationError(stack, [
    `the app has ${taken.length === 1 ? 'a construct' : 'constructs'} ${taken.map(t => JSON.stringify(t)).join(', ')} already (${first.node.path} from an earlier stack or your own code): `
    + `the stack needs the ids ${ids.map(i => JSON.stringify(i)).join(', ')}; add one stack per app, or build the other parts from the constructs themselves`,
  ]);
}
