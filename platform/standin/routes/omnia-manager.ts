/** Omnia Manager routes: SIP trunks, PBXs, extensions and number blocks of a customer. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type {
  ExtensionCreate,
  ExtensionUpdate,
  NumberBlockCreate,
  PbxCreate,
  PbxUpdate,
  SipTrunkCreate,
  SipTrunkUpdate,
} from "../../client/api.gen.js";
import { customerOf } from "../ops/context.js";
import * as extensions from "../ops/extensions.js";
import * as numbers from "../ops/numbers.js";
import * as pbxs from "../ops/pbxs.js";
import * as trunks from "../ops/trunks.js";
import { extensionView, numberView, pbxView, trunkView } from "../ops/views.js";
import { extensionColumns, numberColumns, pbxColumns, trunkColumns } from "./columns.js";
import { answerList, defineOp, ids, opCtx, type RouteDeps } from "./define.js";

/** Registers the Omnia Manager routes. */
export async function omniaManagerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { state } = deps;
  const ctx = opCtx.bind(null, deps);
  /** The records of the request's customer, after checking the partner may see it. */
  const own = <T extends "trunks" | "pbxs" | "extensions" | "numbers">(r: FastifyRequest, table: T) => {
    customerOf(ctx(r), ids(r).customerId);
    return state.ofCustomer(table, ids(r).customerId);
  };

  defineOp(app, "listTrunks", (r, reply) =>
    answerList(r, reply, own(r, "trunks").map(trunkView), trunkColumns),
  );
  defineOp<SipTrunkCreate>(
    app,
    "createTrunk",
    (r) => trunkView(trunks.createTrunk(ctx(r), ids(r).customerId, r.body)),
    201,
  );
  defineOp(app, "getTrunk", (r) => trunkView(trunks.getTrunk(ctx(r), ids(r).customerId, ids(r).trunkId)));
  defineOp<SipTrunkUpdate>(app, "updateTrunk", (r) =>
    trunkView(trunks.updateTrunk(ctx(r), ids(r).customerId, ids(r).trunkId, r.body)),
  );
  defineOp(app, "deleteTrunk", (r) => trunks.deleteTrunk(ctx(r), ids(r).customerId, ids(r).trunkId), 204);

  const pbxOut = (r: FastifyRequest, rec: Parameters<typeof pbxView>[1]) => pbxView(state, rec, ctx(r).now);
  defineOp(app, "listPbxs", (r, reply) =>
    answerList(
      r,
      reply,
      own(r, "pbxs").map((p) => pbxOut(r, p)),
      pbxColumns,
    ),
  );
  defineOp<PbxCreate>(
    app,
    "createPbx",
    (r) => pbxOut(r, pbxs.createPbx(ctx(r), ids(r).customerId, r.body)),
    201,
  );
  defineOp(app, "getPbx", (r) => pbxOut(r, pbxs.getPbx(ctx(r), ids(r).customerId, ids(r).pbxId)));
  defineOp<PbxUpdate>(app, "updatePbx", (r) =>
    pbxOut(r, pbxs.updatePbx(ctx(r), ids(r).customerId, ids(r).pbxId, r.body)),
  );
  defineOp(app, "deletePbx", (r) => pbxs.deletePbx(ctx(r), ids(r).customerId, ids(r).pbxId), 204);
  defineOp(app, "suspendPbx", (r) =>
    pbxOut(r, pbxs.setPbxStatus(ctx(r), ids(r).customerId, ids(r).pbxId, "suspended")),
  );
  defineOp(app, "resumePbx", (r) =>
    pbxOut(r, pbxs.setPbxStatus(ctx(r), ids(r).customerId, ids(r).pbxId, "active")),
  );

  const extensionViews = (r: FastifyRequest) => {
    const pbxId = (r.query as { pbxId?: string }).pbxId;
    const all = own(r, "extensions");
    return (pbxId ? all.filter((e) => e.pbxId === pbxId) : all).map((e) => extensionView(state, e));
  };
  defineOp(app, "listExtensions", (r, reply) => answerList(r, reply, extensionViews(r), extensionColumns));
  defineOp(app, "exportExtensionsCsv", (r, reply) =>
    answerList(r, reply, extensionViews(r), extensionColumns, true),
  );
  defineOp<ExtensionCreate>(
    app,
    "createExtension",
    (r) => extensionView(state, extensions.createExtension(ctx(r), ids(r).customerId, ids(r).pbxId, r.body)),
    201,
  );
  defineOp(app, "getExtension", (r) =>
    extensionView(state, extensions.getExtension(ctx(r), ids(r).customerId, ids(r).extensionId)),
  );
  defineOp<ExtensionUpdate>(app, "updateExtension", (r) =>
    extensionView(state, extensions.updateExtension(ctx(r), ids(r).customerId, ids(r).extensionId, r.body)),
  );
  defineOp(
    app,
    "deleteExtension",
    (r) => extensions.deleteExtension(ctx(r), ids(r).customerId, ids(r).extensionId),
    204,
  );
  defineOp(app, "suspendExtension", (r) =>
    extensionView(
      state,
      extensions.setExtensionStatus(ctx(r), ids(r).customerId, ids(r).extensionId, "suspended"),
    ),
  );
  defineOp(app, "resumeExtension", (r) =>
    extensionView(
      state,
      extensions.setExtensionStatus(ctx(r), ids(r).customerId, ids(r).extensionId, "active"),
    ),
  );

  const numberViews = (r: FastifyRequest) => own(r, "numbers").map((n) => numberView(state, n));
  defineOp(app, "listNumbers", (r, reply) => answerList(r, reply, numberViews(r), numberColumns));
  defineOp(app, "exportNumbersCsv", (r, reply) => answerList(r, reply, numberViews(r), numberColumns, true));
  defineOp<NumberBlockCreate>(
    app,
    "createNumber",
    (r) => numberView(state, numbers.createNumber(ctx(r), ids(r).customerId, r.body)),
    201,
  );
  defineOp(app, "getNumber", (r) =>
    numberView(state, numbers.getNumber(ctx(r), ids(r).customerId, ids(r).numberId)),
  );
  defineOp(app, "deleteNumber", (r) => numbers.deleteNumber(ctx(r), ids(r).customerId, ids(r).numberId), 204);
}
