import { z } from 'zod';
import { loginBody, signupBody } from '../auth/routes.ts';
import { legacyPayload } from '../legacy/routes.ts';
import {
  ack,
  clipAck,
  clipUpload,
  deviceConfig,
  errorBody,
  heartbeat,
  heartbeatResponse,
  verdictBatch,
} from '../protocol/schemas.ts';
import { assignBody, noteBody } from './alarms.ts';
import { labelBody } from './clips.ts';
import { newDeviceBody, patchDeviceBody } from './devices.ts';
import { preferencesBody, pushSubscriptionBody } from './me.ts';

const role = z.enum(['owner', 'admin', 'technician', 'viewer']);
export const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role,
  orgId: z.string(),
  orgName: z.string(),
  locale: z.enum(['ko', 'en']),
});
export const sessionAnswer = z.object({ user: userView, csrfToken: z.string() });
const health = z.enum(['alarm', 'watch', 'offline', 'normal', 'learning']);
export const fleetRow = z.object({
  machineId: z.string(),
  machineName: z.string(),
  siteName: z.string(),
  compressorType: z.string(),
  location: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  health,
  lastSeen: z.number().nullable(),
  lastScore: z.number().nullable(),
  openAlarms: z.number().int(),
});
export const timeline = z.object({
  machineId: z.string(),
  from: z.number(),
  to: z.number(),
  res: z.enum(['raw', 'minute', 'hour']),
  threshold: z.number(),
  borderlineLow: z.number(),
  points: z.array(z.object({ t: z.number(), mean: z.number(), max: z.number(), n: z.number().int(), state: z.string() })),
});
export const newDeviceAnswer = z.object({
  device: z
    .object({ id: z.string(), name: z.string(), machineId: z.string(), status: z.enum(['active', 'decommissioned']) })
    .loose(),
  provisioningToken: z.string().describe('shown once; only its sha256 is stored'),
  flasherUrl: z.string(),
});

type Op = { summary: string; auth: 'device' | 'session' | 'none'; body?: z.ZodType; response?: z.ZodType; tags: string[] };

const schema = (s: z.ZodType) => {
  const { $schema: _s, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** Every public route: method + OpenAPI path → what it does and its zod schemas (the single source). */
const ROUTES: Record<string, Op> = {
  'POST /api/v1/device/verdicts': {
    summary: 'Verdict batch (idempotent on deviceId, bootId, seq)',
    auth: 'device',
    body: verdictBatch,
    response: ack,
    tags: ['device'],
  },
  'POST /api/v1/device/clips': {
    summary: 'Clip upload for cloud re-scoring',
    auth: 'device',
    body: clipUpload,
    response: clipAck,
    tags: ['device'],
  },
  'POST /api/v1/device/heartbeat': {
    summary: 'Heartbeat; returns the device config',
    auth: 'device',
    body: heartbeat,
    response: heartbeatResponse,
    tags: ['device'],
  },
  'GET /api/v1/device/config': {
    summary: 'Thresholds, cadence and the model to run',
    auth: 'device',
    response: deviceConfig,
    tags: ['device'],
  },
  'GET /api/v1/device/models/{sha256}': { summary: 'Model download (.tflite) by sha256', auth: 'device', tags: ['device'] },
  'POST /api/auth/signup': {
    summary: 'Create an account (new org, or join with inviteToken)',
    auth: 'none',
    body: signupBody,
    response: sessionAnswer,
    tags: ['auth'],
  },
  'POST /api/auth/login': {
    summary: 'Sign in; sets sc_session and sc_csrf cookies, returns {user, csrfToken}',
    auth: 'none',
    body: loginBody,
    response: sessionAnswer,
    tags: ['auth'],
  },
  'POST /api/auth/logout': { summary: 'Sign out', auth: 'session', tags: ['auth'] },
  'GET /api/auth/verify': {
    summary: 'The signed-in user and the CSRF token',
    auth: 'session',
    response: sessionAnswer.extend({ ok: z.literal(true) }),
    tags: ['auth'],
  },
  'GET /api/auth/kakao': { summary: 'Start Kakao login (redirect)', auth: 'none', tags: ['auth'] },
  'GET /api/auth/kakao/callback': { summary: 'Kakao OAuth callback', auth: 'none', tags: ['auth'] },
  'POST /api/auth/password-reset/request': {
    summary: 'Email a reset link',
    auth: 'none',
    body: z.object({ email: z.string() }),
    tags: ['auth'],
  },
  'POST /api/auth/password-reset/confirm': {
    summary: 'Set a new password with the emailed token',
    auth: 'none',
    body: z.object({ token: z.string(), password: z.string() }),
    tags: ['auth'],
  },
  'POST /api/org/invitations': {
    summary: 'Invite a user (admin)',
    auth: 'session',
    body: z.object({ email: z.string(), role: z.enum(['owner', 'admin', 'technician', 'viewer']) }),
    tags: ['org'],
  },
  'GET /api/org/invitations': { summary: 'Invitations of my organisation (admin)', auth: 'session', tags: ['org'] },
  'DELETE /api/org/invitations/{id}': { summary: 'Revoke a pending invitation (admin)', auth: 'session', tags: ['org'] },
  'GET /api/org/users': { summary: 'Users of my organisation', auth: 'session', tags: ['org'] },
  'PATCH /api/org/users/{id}': {
    summary: 'Change a member role (admin; owner rules apply)',
    auth: 'session',
    body: z.object({ role: z.enum(['owner', 'admin', 'technician', 'viewer']) }),
    tags: ['org'],
  },
  'DELETE /api/org/users/{id}': { summary: 'Remove a member (admin)', auth: 'session', tags: ['org'] },
  'GET /api/fleet': {
    summary: 'Every machine with its health, trouble first',
    auth: 'session',
    response: z.array(fleetRow),
    tags: ['fleet'],
  },
  'GET /api/machines/{id}': { summary: 'Machine, device and thresholds', auth: 'session', tags: ['fleet'] },
  'GET /api/machines/{id}/timeline': {
    summary: 'Scores over time (?from&to&res=raw|minute|hour)',
    auth: 'session',
    response: timeline,
    tags: ['fleet'],
  },
  'GET /api/machines/{id}/alarms': { summary: 'Alarms of a machine', auth: 'session', tags: ['fleet'] },
  'GET /api/machines/{id}/clips': { summary: 'Clips of a machine with cloud verdicts', auth: 'session', tags: ['fleet'] },
  'GET /api/devices': { summary: 'Devices of my organisation', auth: 'session', tags: ['devices'] },
  'POST /api/devices': {
    summary: 'Register a device (admin); the provisioning token is shown once',
    auth: 'session',
    body: newDeviceBody,
    response: newDeviceAnswer,
    tags: ['devices'],
  },
  'PATCH /api/devices/{id}': {
    summary: 'Rename a device (admin)',
    auth: 'session',
    body: patchDeviceBody,
    tags: ['devices'],
  },
  'POST /api/devices/{id}/decommission': {
    summary: 'Decommission a device; its token stops working (admin)',
    auth: 'session',
    tags: ['devices'],
  },
  'GET /api/alarms': { summary: 'Alarms (?status=open|all)', auth: 'session', tags: ['alarms'] },
  'GET /api/alarms/{id}': { summary: 'An alarm with notes, events and deliveries', auth: 'session', tags: ['alarms'] },
  'POST /api/alarms/{id}/ack': { summary: 'Acknowledge (technician+)', auth: 'session', tags: ['alarms'] },
  'POST /api/alarms/{id}/assign': {
    summary: 'Assign (technician+)',
    auth: 'session',
    body: assignBody,
    tags: ['alarms'],
  },
  'POST /api/alarms/{id}/notes': {
    summary: 'Add a note (technician+)',
    auth: 'session',
    body: noteBody,
    tags: ['alarms'],
  },
  'POST /api/alarms/{id}/clear': { summary: 'Clear (technician+)', auth: 'session', tags: ['alarms'] },
  'GET /api/clips/{id}': { summary: 'Clip with cloud verdict and labels', auth: 'session', tags: ['clips'] },
  'GET /api/clips/{id}/audio': { summary: 'Clip audio as WAV', auth: 'session', tags: ['clips'] },
  'GET /api/clips/{id}/spectrogram': { summary: 'Clip log-mel {frames, nMels, data}', auth: 'session', tags: ['clips'] },
  'POST /api/clips/{id}/labels': {
    summary: 'Label a clip (technician+)',
    auth: 'session',
    body: labelBody,
    tags: ['clips'],
  },
  'GET /api/labels/export-link': {
    summary: 'A 24 h signed link to the labels export (no session needed; entries carry signed audio `path`s)',
    auth: 'session',
    tags: ['clips'],
  },
  'GET /api/labels/export': { summary: 'Labels for training ([{clipId, label, …, audioUrl}])', auth: 'session', tags: ['clips'] },
  'GET /api/me/preferences': { summary: 'My notification preferences', auth: 'session', response: preferencesBody, tags: ['me'] },
  'PUT /api/me/preferences': {
    summary: 'Set my notification preferences',
    auth: 'session',
    body: preferencesBody,
    response: preferencesBody,
    tags: ['me'],
  },
  'GET /api/push/vapid-public-key': { summary: 'VAPID public key for PushManager.subscribe', auth: 'none', tags: ['me'] },
  'POST /api/push/subscriptions': {
    summary: 'Save a PushSubscription',
    auth: 'session',
    body: pushSubscriptionBody,
    tags: ['me'],
  },
  'DELETE /api/push/subscriptions': { summary: 'Remove a PushSubscription {endpoint}', auth: 'session', tags: ['me'] },
  'GET /api/notifications/stream': {
    summary: 'SSE: device-status, verdict, alarm, cloud-verdict (Last-Event-ID resume)',
    auth: 'session',
    tags: ['realtime'],
  },
  'POST /api/lightweight-analyze': {
    summary: 'Analyse a WAV (multipart "audio" or audio/wav body)',
    auth: 'none',
    tags: ['legacy'],
  },
  'POST /api/esp32/data': {
    summary: 'Legacy ESP32 payload mapped onto ingestion',
    auth: 'device',
    body: legacyPayload,
    tags: ['legacy'],
  },
  'GET /healthz': { summary: 'Health (checks the database)', auth: 'none', tags: ['ops'] },
};

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, op] of Object.entries(ROUTES)) {
    const [method, p] = key.split(' ');
    const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[p] ??= {};
    paths[p][method.toLowerCase()] = {
      summary: op.summary,
      tags: op.tags,
      ...(params.length ? { parameters: params } : {}),
      security: op.auth === 'device' ? [{ deviceToken: [] }] : op.auth === 'session' ? [{ session: [], csrf: [] }] : [],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } } : {}),
      responses: {
        '200': {
          description: 'OK',
          ...(op.response ? { content: { 'application/json': { schema: schema(op.response) } } } : {}),
        },
        '4XX': { description: 'Error', content: { 'application/json': { schema: schema(errorBody) } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Signalcraft API',
      version: '1.0.0',
      description: 'Device protocol v1 and the dashboard API. State-changing session routes need X-CSRF-Token.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        deviceToken: { type: 'http', scheme: 'bearer', description: 'device provisioning token' },
        session: { type: 'apiKey', in: 'cookie', name: 'sc_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
    paths,
  };
}
