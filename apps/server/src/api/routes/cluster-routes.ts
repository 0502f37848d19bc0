/** `GET /api/cluster/nodes`: the live server nodes and how many devices each owns. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/app-context';

const nodeSchema = {
  type: 'object',
  required: ['id', 'devices', 'lastSeen'],
  properties: {
    id: { type: 'string', description: 'Node id (`--node-id`).' },
    devices: {
      type: 'integer',
      description: 'Devices whose flow this node owns (it received their last Register/Update).',
    },
    lastSeen: { type: 'integer', description: 'Epoch ms of the node’s last heartbeat.' },
    http: { type: 'string', description: 'The node’s HTTP API base URL.' },
  },
} as const;

export function addClusterRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/cluster/nodes',
    {
      schema: {
        tags: ['server'],
        summary: 'Live cluster nodes and the devices each owns',
        description:
          'In cluster mode (`--redis`), every node that heartbeated within the node TTL; on a single node, that node.',
        response: {
          200: {
            type: 'object',
            required: ['nodes'],
            properties: { nodes: { type: 'array', items: nodeSchema } },
          },
        },
      },
    },
    async () => ({ nodes: ctx.cluster ? await ctx.cluster.nodes() : [] }),
  );
}
