// Where the dashboard and the parameter view open: in the side group the other one already uses
// (or another side group that shows no notebook), not in a new column beside whatever has the
// focus. VS Code's "Beside" is relative to the active group, which is the dashboard's own group
// when the person just clicked in it: the parameter view then opened a third column. Pure (no
// 'vscode'), so it is unit-tested.

export interface EditorGroupInfo {
  viewColumn: number;
  /** It holds an RNN Lab panel (dashboard or parameter view). */
  hasRnnLabPanel: boolean;
  /** Its active tab is a notebook (the person's work: a panel must not cover it). */
  showsNotebook: boolean;
}

/**
 * The column for a new RNN Lab panel, given the editor groups and the column of the notebook the
 * person works in: a group holding an RNN Lab panel, else the first group right of the notebook
 * that shows no notebook, else any such group, else a new column right of all (two notebooks side
 * by side stay in view). 'beside' when no notebook is in view and no group has a panel.
 */
export function panelColumn(groups: readonly EditorGroupInfo[], notebookColumn: number | undefined): number | 'beside' {
  const others = groups.filter((g) => g.viewColumn !== notebookColumn);
  const withPanel = others.find((g) => g.hasRnnLabPanel);
  if (withPanel) return withPanel.viewColumn;
  if (notebookColumn === undefined) return 'beside';
  const free = others.filter((g) => !g.showsNotebook).sort((a, b) => a.viewColumn - b.viewColumn);
  const right = free.find((g) => g.viewColumn > notebookColumn) ?? free[0];
  if (right) return right.viewColumn;
  return Math.max(notebookColumn, ...groups.map((g) => g.viewColumn)) + 1;
}
