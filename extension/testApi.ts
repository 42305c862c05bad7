// What activate() returns: a small window into the extension for the extension-host tests
// (test/vscode/; the promised ids and API are written out in suite/contract.ts). Read-only; it changes nothing.

import type { Dashboard } from './dashboard';
import type { Inspector } from './inspector';
import type { KernelClient, KernelClientState } from './kernelClient';
import { recentMessages, type ShownMessage } from './notify';

export interface TreeItemInfo {
  label: string;
  description?: string;
}

export interface ModelTreeItemInfo extends TreeItemInfo {
  children: TreeItemInfo[];
}

export interface RnnLabTestApi {
  kernelState(): KernelClientState;
  /** The rnnLab.models tree, each model with its children resolved. */
  modelsTreeItems(): Promise<ModelTreeItemInfo[]>;
  jobsTreeItems(): Promise<TreeItemInfo[]>;
  dashboardVisible(): boolean;
  /** Messages handed to the dashboard webview (held ones count once its script is ready). */
  dashboardMessagesPosted(): number;
  /** Notifications the commands showed (the last 20, oldest first): errors reach the person so. */
  recentMessages(): ShownMessage[];
}

function labelOf(label: string | { label: string } | undefined): string {
  return typeof label === 'string' ? label : (label?.label ?? '');
}

function descriptionOf(description: string | boolean | undefined): string | undefined {
  return typeof description === 'string' ? description : undefined;
}

export function createTestApi(kernel: KernelClient, inspector: Inspector, dashboard: Dashboard): RnnLabTestApi {
  return {
    kernelState: () => kernel.state,
    async modelsTreeItems() {
      const models = await inspector.models.getChildren();
      return Promise.all(
        models.map(async (model) => {
          const item = inspector.models.getTreeItem(model);
          const children = await inspector.models.getChildren(model);
          return {
            label: labelOf(item.label),
            description: descriptionOf(item.description),
            children: children.map((child) => {
              const c = inspector.models.getTreeItem(child);
              return { label: labelOf(c.label), description: descriptionOf(c.description) };
            }),
          };
        }),
      );
    },
    async jobsTreeItems() {
      return inspector.jobs.getChildren().map((job) => {
        const item = inspector.jobs.getTreeItem(job);
        return { label: labelOf(item.label), description: descriptionOf(item.description) };
      });
    },
    dashboardVisible: () => dashboard.visible,
    dashboardMessagesPosted: () => dashboard.messagesPosted,
    recentMessages,
  };
}
