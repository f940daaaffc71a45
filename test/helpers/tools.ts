import type { TestApp } from './app.ts';
import type { TestUser } from './users.ts';

let ids: Map<string, string> | undefined;

/** The id of a seeded tool, by its code. */
export async function toolId(
  t: TestApp,
  user: TestUser,
  code: string,
  token = user.accessToken,
): Promise<string> {
  if (!ids) {
    const response = await t.request('GET', '/v1/tools/search', {
      token,
      query: { limit: 100 },
    });
    ids = new Map(
      response.body.items.map((tool: { code: string; id: string }) => [tool.code, tool.id]),
    );
  }
  const id = ids.get(code);
  if (!id) throw new Error(`no tool ${code}`);
  return id;
}
