import { FunctionName } from './patterns';

interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

const SKIP_VPC: CheckovSkip = {
  id: 'CKV_AWS_117',
  comment: 'Calls only public AWS endpoints (STS, SSO, Organizations, SNS, SQS); a VPC would add NAT or endpoints and no protection.',
};
const SKIP_ENV_KEY: CheckovSkip = {
  id: 'CKV_AWS_173',
  comment: 'The environment holds only non-secret policy flags; Lambda encrypts it at rest with its service key.',
};

/** Per function settings (same as infra/template.yaml). */
interface FunctionSpec {
  readonly description: string;
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  /**
   * Invoked asynchronously (by EventBridge): a function dead-letter queue and
   * bounded retries. The sweep worker and the outlets are invoked synchronously by
   * their SQS event source mappings: their dead letters are their queues'.
   */
  readonly asynchronous: boolean;
  readonly checkovSkips: CheckovSkip[];
}

export const SPECS: Record<FunctionName, FunctionSpec> = {
  'on-create-instance': {
    description: 'idc-guardrail - evaluates sso CreateInstance events (IDC001, IDC002, IDC004, IDC005)',
    memorySize: 256,
    timeout: 60,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and events are rare.',
      },
      SKIP_ENV_KEY,
    ],
  },
  'on-org-event': {
    description:
      'idc-guardrail - evaluates delegated-administrator registrations and accounts joining (IDC001, IDC002, IDC005)',
    memorySize: 256,
    timeout: 300,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and events are rare.',
      },
      SKIP_ENV_KEY,
    ],
  },
  sweep: {
    description:
      'idc-guardrail - scheduled sweep of every account and Region, by the same rules and policy as the events; fans out to sweep-worker above FanoutThreshold accounts',
    memorySize: 512,
    timeout: 900,
    asynchronous: true,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: 'No reserved concurrency on purpose; reserving fails in accounts with the default quota of 10 and one sweep runs per schedule.',
      },
      SKIP_ENV_KEY,
    ],
  },
  'sweep-worker': {
    description: 'idc-guardrail - per message of the worker queue, sweeps one account or confirms an announced delete',
    memorySize: 256,
    timeout: 300,
    asynchronous: false,
    checkovSkips: [
      SKIP_VPC,
      {
        id: 'CKV_AWS_115',
        comment: "No reserved concurrency on purpose; the event source mapping's MaximumConcurrency caps the worker without taking from the account's pool.",
      },
      SKIP_ENV_KEY,
      {
        id: 'CKV_AWS_116',
        comment: "Invoked synchronously by its SQS event source mapping, where a function dead-letter queue never receives anything; failed messages go to SweepWorkerDeadLetterQueue by the worker queue's redrive policy.",
      },
    ],
  },
  outlets: {
    description: 'idc-guardrail - imports findings into Security Hub and posts chat notices, from its own queue, off the delete path',
    memorySize: 256,
    timeout: 60,
    asynchronous: false,
    checkovSkips: [
      {
        id: 'CKV_AWS_117',
        comment: 'Calls only public AWS endpoints (Security Hub, SNS, SQS); a VPC would add NAT or endpoints and no protection.',
      },
      {
        id: 'CKV_AWS_115',
        comment: "No reserved concurrency on purpose; the event source mapping's MaximumConcurrency caps the outlets without taking from the account's pool.",
      },
      {
        id: 'CKV_AWS_173',
        comment: 'The environment holds only non-secret settings; Lambda encrypts it at rest with its service key.',
      },
      {
        id: 'CKV_AWS_116',
        comment: "Invoked synchronously by its SQS event source mapping, where a function dead-letter queue never receives anything; failed messages go to OutletsDeadLetterQueue by the outlets queue's redrive policy.",
      },
    ],
  },
};

/** `on-create-instance` -> `OnCreateInstance`: the prefix of a function's construct ids. */
export function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
