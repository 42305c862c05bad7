// Workspace Trust: the kernel runs notebook code with the person's full rights, so it never starts
// in an untrusted workspace. This tells the person why and where to change it.

import * as vscode from 'vscode';
import { notify } from './notify';

let shownThisSession = false;

/**
 * Tells the person why nothing runs. Callers must not await it: it settles only when the person
 * answers the notification (a command that awaited it would hang in Restricted Mode).
 */
export async function showUntrustedMessage(): Promise<void> {
  // Once per window is enough; every refused cell also says why in its output.
  if (shownThisSession) return;
  shownThisSession = true;
  const manage = 'Manage Workspace Trust';
  const choice = await notify(
    'warning',
    'RNN Lab does not start its kernel in an untrusted workspace: notebook cells run TypeScript with the full rights of your user account. Trust this folder to run cells.',
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}
