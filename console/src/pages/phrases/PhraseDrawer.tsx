// Create or edit one phrase: corp (folder, departments) or personal; text, image, link or
// mini program. Used by the /phrases page and, for personal phrases, by the sidebar's picker.
import { useEffect, useState } from 'react'
import { Button, Drawer, Form, Input, Select, TreeSelect, Typography, Upload } from 'antd'
import { UploadOutlined } from '@ant-design/icons'
import { get, patch, post, type Department } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import { upload } from '../content/shared'
import { PHRASE_KINDS, type Phrase, type PhraseFolder, type PhraseKind } from './shared'

interface Values {
  scope: 'corp' | 'personal'
  kind: PhraseKind
  title: string
  body?: string
  description?: string
  url?: string
  cover?: string
  appid?: string
  page?: string
  folder_id?: number | null
  department_ids?: number[]
}

function deptTree(depts: Department[]) {
  const kids = new Map<number | null, Department[]>()
  for (const d of depts) {
    const p = depts.some((x) => x.dept_id === d.parent_id) ? d.parent_id : null
    kids.set(p, [...(kids.get(p) ?? []), d])
  }
  const build = (p: number | null): unknown[] => (kids.get(p) ?? []).map((d) => ({ title: d.name, value: d.dept_id, children: build(d.dept_id) }))
  return build(null)
}

export default function PhraseDrawer({
  open,
  phrase,
  scope,
  folderId,
  folders,
  onClose,
  compact,
}: {
  open: boolean
  phrase: Phrase | null
  scope: 'corp' | 'personal'
  folderId?: number | null
  folders: PhraseFolder[]
  onClose: (saved?: Phrase) => void
  /** the sidebar: a narrow drawer from the bottom */
  compact?: boolean
}) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Values>()
  const act = useAction()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const kind = (Form.useWatch('kind', form) as PhraseKind | undefined) ?? phrase?.kind ?? 'text'
  const corp = (phrase?.scope ?? scope) === 'corp'
  const depts = useLoad(() => (open && corp ? get<Department[]>('/departments') : Promise.resolve([] as Department[])), [open, corp])
  useEffect(() => {
    if (!open) return
    setFile(null)
    form.resetFields()
    form.setFieldsValue(
      phrase
        ? { ...(phrase as unknown as Values) }
        : { scope, kind: 'text', folder_id: folderId ?? null, department_ids: [] },
    )
  }, [open, phrase, scope, folderId, form])
  const save = async () => {
    const v = await form.validateFields()
    setBusy(true)
    const saved = await act(async () => {
      let file_id: number | undefined
      if (file) {
        const fd = new FormData()
        fd.append('file', file)
        file_id = (await upload<{ file_id: number }>('/phrases/images', fd)).file_id
      } else if (v.kind === 'image' && !phrase) {
        throw new Error(tr('请选择要上传的图片', 'Choose an image to upload'))
      }
      const body = { ...v, ...(file_id ? { file_id } : {}) }
      if (phrase) {
        const { scope: _s, kind: _k, folder_id, ...rest } = body
        void _s
        void _k
        return patch<Phrase>(`/phrases/${phrase.id}`, corp ? { ...rest, folder_id: folder_id ?? undefined, no_folder: !folder_id } : rest)
      }
      return post<Phrase>('/phrases', corp ? { ...body, folder_id: body.folder_id ?? null } : { ...body, folder_id: null, department_ids: [] })
    }, phrase ? tr('已保存', 'Saved') : tr('已创建', 'Created'))
    setBusy(false)
    if (saved) onClose(saved)
  }
  return (
    <Drawer
      open={open}
      size={compact ? 'default' : 'large'}
      placement={compact ? 'bottom' : 'right'}
      height={compact ? '85%' : undefined}
      destroyOnHidden
      title={phrase ? tr('编辑话术', 'Edit phrase') : corp ? tr('新建企业话术', 'New corp phrase') : tr('新建我的话术', 'New personal phrase')}
      onClose={() => onClose()}
      extra={
        <Button type="primary" loading={busy} onClick={() => void save()} data-testid="phrase-save">
          {tr('保存', 'Save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" name="phrase">
        <Form.Item name="scope" hidden>
          <Input />
        </Form.Item>
        <Form.Item name="kind" label={tr('类型', 'Kind')} rules={[{ required: true }]}>
          <Select
            disabled={!!phrase}
            data-testid="phrase-kind"
            options={Object.entries(PHRASE_KINDS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
          />
        </Form.Item>
        <Form.Item name="title" label={tr('标题', 'Title')} rules={[{ required: true, whitespace: true, message: tr('请填写标题', 'Enter a title') }]}>
          <Input maxLength={100} data-testid="phrase-title" />
        </Form.Item>
        {kind === 'text' && (
          <Form.Item name="body" label={tr('话术内容', 'Words')} rules={[{ required: true, whitespace: true, message: tr('请填写话术内容', 'Enter the words') }]}>
            <Input.TextArea rows={5} maxLength={4000} showCount data-testid="phrase-body" />
          </Form.Item>
        )}
        {kind === 'image' && (
          <Form.Item label={tr('图片（JPG/PNG，不超过 10 MB）', 'Image (JPG/PNG, at most 10 MB)')} required={!phrase}>
            <Upload
              accept="image/png,image/jpeg"
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f)
                return false
              }}
              onRemove={() => setFile(null)}
            >
              <Button icon={<UploadOutlined />}>{tr('选择图片', 'Choose image')}</Button>
            </Upload>
            {phrase?.file_id && !file && <img src={`/api/v1/phrases/${phrase.id}/image`} alt="" style={{ maxWidth: 160, marginTop: 8 }} />}
          </Form.Item>
        )}
        {kind === 'link' && (
          <>
            <Form.Item name="url" label={tr('链接地址', 'URL')} rules={[{ required: true, pattern: /^https?:\/\//, message: tr('以 https:// 或 http:// 开头', 'Starts with https:// or http://') }]}>
              <Input maxLength={1000} placeholder="https://" />
            </Form.Item>
            <Form.Item name="description" label={tr('摘要', 'Description')}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
          </>
        )}
        {kind === 'miniprogram' && (
          <>
            <Form.Item name="appid" label={tr('小程序 AppID', 'Mini program AppID')} rules={[{ required: true, whitespace: true }]}>
              <Input maxLength={64} placeholder="wx..." />
            </Form.Item>
            <Form.Item name="page" label={tr('小程序页面路径', 'Mini program page')} rules={[{ required: true, whitespace: true }]}>
              <Input maxLength={300} placeholder="pages/index/index.html" />
            </Form.Item>
          </>
        )}
        {(kind === 'link' || kind === 'miniprogram') && (
          <Form.Item
            name="cover"
            label={tr('封面图片地址', 'Cover image URL')}
            rules={[{ required: kind === 'miniprogram', pattern: /^https?:\/\//, message: tr('以 https:// 或 http:// 开头', 'Starts with https:// or http://') }]}
          >
            <Input maxLength={1000} placeholder="https://" />
          </Form.Item>
        )}
        {corp && (
          <>
            <Form.Item name="folder_id" label={tr('文件夹', 'Folder')}>
              <Select allowClear placeholder={tr('未分组', 'No folder')} options={folders.map((f) => ({ value: f.id, label: f.name }))} data-testid="phrase-folder" />
            </Form.Item>
            <Form.Item name="department_ids" label={tr('可见范围（不选：全员可见；选中部门含下级部门）', 'Published to (none: everyone; a department includes its sub-departments)')}>
              <TreeSelect multiple allowClear treeDefaultExpandAll treeData={deptTree(depts.data ?? []) as never} placeholder={tr('全员可见', 'Everyone')} />
            </Form.Item>
          </>
        )}
        {!corp && (
          <Typography.Paragraph type="secondary">{tr('我的话术仅自己可见。', 'Personal phrases are visible to you only.')}</Typography.Paragraph>
        )}
      </Form>
    </Drawer>
  )
}
