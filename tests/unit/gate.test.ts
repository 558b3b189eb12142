/** db/gate.ts: shared passes side by side, an exclusive one alone and ahead of later arrivals. */
import { describe, expect, it } from 'vitest';
import { Gate } from '../../db/gate.ts';

const turn = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('Gate', () => {
  it('lets shared passes out together', async () => {
    const gate = new Gate();
    const a = await gate.shared();
    const b = await gate.shared();
    expect(gate.state).toEqual({ shared: 2, exclusive: false, queued: 0 });
    a();
    a(); // giving a pass back twice counts once
    b();
    expect(gate.state).toEqual({ shared: 0, exclusive: false, queued: 0 });
  });

  it('holds an exclusive pass until those out return, and puts later shared ones behind it', async () => {
    const gate = new Gate();
    const order: string[] = [];
    const first = await gate.shared();
    const exclusive = gate.exclusive().then((leave) => {
      order.push('exclusive');
      return leave;
    });
    await turn();
    const later = gate.shared().then((leave) => {
      order.push('later shared');
      return leave;
    });
    await turn();
    expect(order).toEqual([]);
    expect(gate.state).toEqual({ shared: 1, exclusive: false, queued: 1 });
    first();
    const leave = await exclusive;
    await turn();
    expect(order).toEqual(['exclusive']);
    expect(gate.state).toEqual({ shared: 0, exclusive: true, queued: 0 });
    leave();
    (await later)();
    expect(order).toEqual(['exclusive', 'later shared']);
    expect(gate.state).toEqual({ shared: 0, exclusive: false, queued: 0 });
  });

  it('lets exclusive passes out one at a time', async () => {
    const gate = new Gate();
    let out = 0;
    let most = 0;
    await Promise.all(
      [1, 2, 3].map(async () => {
        const leave = await gate.exclusive();
        most = Math.max(most, ++out);
        await turn();
        out -= 1;
        leave();
      }),
    );
    expect(most).toBe(1);
  });
});
