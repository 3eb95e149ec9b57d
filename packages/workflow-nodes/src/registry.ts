/**
 * Every node Nudge knows, in one explicit array. Adding a node = one file + its test + one line here.
 */
import type { AnyNodeDefinition } from './define.js';
import { nodeKey } from './define.js';
import { addNoteAction } from './nodes/actions/add_note.js';
import { addTagAction } from './nodes/actions/add_tag.js';
import { assignOwnerAction } from './nodes/actions/assign_owner.js';
import { changePointsAction } from './nodes/actions/change_points.js';
import { createTaskAction } from './nodes/actions/create_task.js';
import { httpWebhookAction } from './nodes/actions/http_webhook.js';
import { notifyUserAction } from './nodes/actions/notify_user.js';
import { removeTagAction } from './nodes/actions/remove_tag.js';
import { sendMessageAction } from './nodes/actions/send_message.js';
import { setPriorityAction } from './nodes/actions/set_priority.js';
import { startFlowAction } from './nodes/actions/start_flow.js';
import { updateFieldAction } from './nodes/actions/update_field.js';
import { ifElseCondition } from './nodes/conditions/if_else.js';
import { switchCondition } from './nodes/conditions/switch.js';
import { birthdayTrigger } from './nodes/triggers/birthday.js';
import { customerCreatedTrigger } from './nodes/triggers/customer_created.js';
import { dateFieldTrigger } from './nodes/triggers/date_field.js';
import { fieldChangedTrigger } from './nodes/triggers/field_changed.js';
import { inboundMessageTrigger } from './nodes/triggers/inbound_message.js';
import { manualTrigger } from './nodes/triggers/manual.js';
import { scheduleTrigger } from './nodes/triggers/schedule.js';
import { segmentEntryTrigger } from './nodes/triggers/segment_entry.js';
import { tagChangedTrigger } from './nodes/triggers/tag_changed.js';
import { webhookTrigger } from './nodes/triggers/webhook.js';
import { controlNodes } from './control.js';

export const nodeRegistry: readonly AnyNodeDefinition[] = [
  // triggers
  segmentEntryTrigger,
  scheduleTrigger,
  customerCreatedTrigger,
  tagChangedTrigger,
  fieldChangedTrigger,
  inboundMessageTrigger,
  webhookTrigger,
  birthdayTrigger,
  dateFieldTrigger,
  manualTrigger,
  // conditions
  ifElseCondition,
  switchCondition,
  // actions
  sendMessageAction,
  addTagAction,
  removeTagAction,
  assignOwnerAction,
  createTaskAction,
  notifyUserAction,
  updateFieldAction,
  setPriorityAction,
  addNoteAction,
  httpWebhookAction,
  startFlowAction,
  changePointsAction,
  // control
  ...controlNodes,
];

const byKey = new Map(nodeRegistry.map((n) => [nodeKey(n), n]));

export const findNode = (key: string): AnyNodeDefinition | undefined => byKey.get(key);
