import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { loadRealFlow } from "../support/flow.ts";

const compiled = loadRealFlow();
const { flow, machine, tree } = compiled;

type Snapshot = ReturnType<typeof initialTransition<typeof machine>>[0];

interface Path {
  asked: string[];
  events: string[];
  outcome: string | null;
}

/** Every path through the machine, found by offering every button each state shows. */
function enumeratePaths(): Path[] {
  const paths: Path[] = [];
  const visit = (snapshot: Snapshot, asked: string[], events: string[]) => {
    const node = tree.nodes[Number(String(snapshot.value).slice(1))];
    if (!node) throw new Error(`no node for ${String(snapshot.value)}`);
    if (node.kind === "outcome") {
      expect(snapshot.status).toBe("done");
      paths.push({ asked, events, outcome: flow.outcomes[node.outcome]?.id ?? null });
      return;
    }
    const question = flow.questions[node.question];
    if (!question) throw new Error("question node without a question");
    for (const option of question.options) {
      const event = { type: `answer:${question.id}:${option.id}` };
      expect(snapshot.can(event)).toBe(true);
      const [next] = transition(machine, snapshot, event);
      expect(next).not.toBe(snapshot);
      expect(next.context.answers[question.id]).toBe(option.id);
      visit(next, [...asked, question.id], [...events, event.type]);
    }
  };
  visit(initialTransition(machine)[0], [], []);
  return paths;
}

describe("every path through the flow", () => {
  const paths = enumeratePaths();

  it("has paths to enumerate", () => {
    expect(paths.length).toBeGreaterThan(50);
  });

  it("ends every path in an outcome", () => {
    expect(paths.filter((p) => p.outcome === null)).toEqual([]);
  });

  it("reaches every outcome", () => {
    const reached = new Set(paths.map((p) => p.outcome));
    expect([...reached].sort()).toEqual(flow.outcomes.map((o) => o.id).sort());
  });

  it("asks every question somewhere", () => {
    const asked = new Set(paths.flatMap((p) => p.asked));
    expect([...asked].sort()).toEqual(flow.questions.map((q) => q.id).sort());
  });

  it("never asks a question twice on a path, and asks in flow order", () => {
    const order = new Map(flow.questions.map((q, i) => [q.id, i]));
    for (const p of paths) {
      expect(new Set(p.asked).size).toBe(p.asked.length);
      const positions = p.asked.map((q) => order.get(q) ?? -1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  it("never asks an implied fact", () => {
    const impliedWhenDedicated = ["destination_byo", "destination_install_method", "destination_csr"];
    for (const p of paths) {
      if (p.events.includes("answer:destination_server:dedicated_vps_cloud"))
        expect(p.asked.filter((q) => impliedWhenDedicated.includes(q))).toEqual([]);
      if (p.events.includes("answer:current_server:our_shared"))
        expect(p.asked.filter((q) => q === "key_exportable" || q === "cert_exportable")).toEqual([]);
      if (p.events.includes("answer:issuer:us")) expect(p.asked).not.toContain("cert_exportable");
    }
  });

  it("asks the installer only on routes that work, and always last", () => {
    for (const p of paths) {
      const route = flow.outcomes.find((o) => o.id === p.outcome)?.route;
      const asksInstaller = p.asked.includes("installer");
      expect(asksInstaller).toBe(route === "move" || route === "handover" || route === "reissue");
      if (asksInstaller) expect(p.asked.at(-1)).toBe("installer");
    }
  });
});
