// Tags of one follow relation, editable: each change is a batch tag job (written to WeCom
// first by the worker), polled until it finishes.
import { useState } from 'react'
import { Select, Space, Tag } from 'antd'
import { type TagGroup, type TagRef } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { runBatch } from './batchJobs'

export default function TagEditor(props: {
  customerId: number
  userid: string
  tags: TagRef[]
  groups: TagGroup[]
  editable: boolean
  onChanged: () => void
}) {
  const { tr } = useI18n()
  const act = useAction()
  const [busy, setBusy] = useState(false)
  const have = new Set(props.tags.map((t) => t.tag_id))
  const change = async (add: string[], remove: string[]) => {
    setBusy(true)
    const ok = await act(
      () => runBatch({ customer_ids: [props.customerId], userid: props.userid, add, remove }),
      tr('标签已更新', 'Tags updated'),
    )
    setBusy(false)
    if (ok) props.onChanged()
  }
  return (
    <Space wrap size={[4, 8]}>
      {props.tags.map((t) => (
        <Tag
          key={t.tag_id}
          color="green"
          closable={props.editable && !busy}
          onClose={(e) => {
            e.preventDefault()
            void change([], [t.tag_id])
          }}
        >
          {t.group_name ? `${t.group_name}/` : ''}
          {t.name || t.tag_id}
        </Tag>
      ))}
      {props.editable && (
        <Select
          data-testid={`add-tag-${props.userid}`}
          size="small"
          style={{ minWidth: 160 }}
          placeholder={tr('+ 添加标签', '+ Add tag')}
          loading={busy}
          disabled={busy}
          value={null}
          showSearch={{ optionFilterProp: 'label' }}
          onChange={(tagId: string) => void change([tagId], [])}
          options={props.groups.map((g) => ({
            label: g.name,
            options: g.tags
              .filter((t) => !have.has(t.tag_id))
              .map((t) => ({ label: t.name, value: t.tag_id })),
          }))}
        />
      )}
    </Space>
  )
}
