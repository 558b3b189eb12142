/** The sentence shown under a table of the transparency report (by table id), where it needs one. */
const TABLE_NOTES = {
  'actions-by-type':
    'One case can involve more than one action (for example, hiding a comment and blocking the account), so these do not add up to the number of cases.',
  'actions-by-ground':
    'One case can cite more than one ground from our social media principles, so these do not add up to the number of cases.',
  'cases-by-detection':
    'Whether we found the post ourselves, a member of the public told us about it, or a platform’s automated filter flagged it.',
  'cases-by-automation':
    'Whether automated means (such as a platform’s keyword filter) were used to find or act on the post. A person always records the case.',
  appeals:
    'Appeals are counted in the period they were received, decided or withdrawn, so these columns do not add up.',
  'cases-told':
    'Whether we told the person what we did and why (by a reply, a private message, an email or another way). “Not told” includes cases where we could not reach the person and cases where nothing was recorded.',
} satisfies Record<string, string>;

/** The note for a table of the report, if it has one. */
export function tableNote(tableId: string): string | undefined {
  return (TABLE_NOTES as Record<string, string>)[tableId];
}
