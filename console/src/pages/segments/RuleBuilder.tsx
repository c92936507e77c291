// 客户分群: the rule builder (AND/OR groups of conditions over tags, employees, channels, add
// time, lifecycle stage), shared by saved segments, rule tags and the broadcast audience.
import { type Dispatch, type SetStateAction } from 'react'
import { Button, Card, InputNumber, Segmented, Select, Space, Typography, type SelectProps } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { useI18n } from '../../i18n'
import { type Dir } from '../directory'
import { useStages } from '../customers/stages'
import { newCondition, nextKey, type Builder, type Condition, type Group, type Kind } from './rules'

export default function RuleBuilder({
  builder,
  setBuilder,
  dir,
  channelOptions,
}: {
  builder: Builder
  setBuilder: Dispatch<SetStateAction<Builder>>
  dir: Dir
  channelOptions: SelectProps['options']
}) {
  const { tr } = useI18n()
  const stages = useStages()
  const stageOptions = (stages.data ?? []).map((s) => ({ label: s.name, value: String(s.id) }))
  const setGroup = (key: number, g: Partial<Group>) =>
    setBuilder((b) => ({ ...b, groups: b.groups.map((x) => (x.key === key ? { ...x, ...g } : x)) }))
  const setCond = (gk: number, ck: number, c: Partial<Condition>) =>
    setBuilder((b) => ({
      ...b,
      groups: b.groups.map((g) =>
        g.key === gk ? { ...g, conditions: g.conditions.map((x) => (x.key === ck ? { ...x, ...c } : x)) } : g,
      ),
    }))

  const kindOptions = [
    { label: tr('标签', 'Tags'), value: 'tags' },
    { label: tr('跟进员工', 'Employee'), value: 'employee' },
    { label: tr('来源渠道', 'Channel'), value: 'channel' },
    { label: tr('添加时间', 'Added'), value: 'added' },
    { label: tr('客户阶段', 'Stage'), value: 'stage' },
  ]
  const opLabel = (op: 'and' | 'or') => (op === 'and' ? tr('且', 'AND') : tr('或', 'OR'))

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Text>{tr('条件组之间：', 'Between groups:')}</Typography.Text>
        <Segmented
          value={builder.op}
          onChange={(v) => setBuilder((b) => ({ ...b, op: v as 'and' | 'or' }))}
          options={[
            { label: tr('满足全部 (且)', 'All (AND)'), value: 'and' },
            { label: tr('满足任一 (或)', 'Any (OR)'), value: 'or' },
          ]}
        />
      </Space>
      {builder.groups.map((g, gi) => (
        <Card
          key={g.key}
          size="small"
          type="inner"
          data-testid={`segment-group-${gi}`}
          title={
            <Space>
              {tr(`条件组 ${gi + 1}`, `Group ${gi + 1}`)}
              <Segmented
                size="small"
                value={g.op}
                onChange={(v) => setGroup(g.key, { op: v as 'and' | 'or' })}
                options={[
                  { label: tr('且', 'AND'), value: 'and' },
                  { label: tr('或', 'OR'), value: 'or' },
                ]}
              />
            </Space>
          }
          extra={
            builder.groups.length > 1 && (
              <Button
                type="text"
                icon={<DeleteOutlined />}
                aria-label="remove group"
                onClick={() => setBuilder((b) => ({ ...b, groups: b.groups.filter((x) => x.key !== g.key) }))}
              />
            )
          }
        >
          <Space orientation="vertical" style={{ width: '100%' }}>
            {g.conditions.length === 0 && (
              <Typography.Text type="secondary">
                {tr('还没有条件：当前人数为全部未流失客户。', 'No conditions yet: every customer not lost.')}
              </Typography.Text>
            )}
            {g.conditions.map((c, ci) => (
              <Space key={c.key} wrap data-testid="segment-condition">
                <Typography.Text type="secondary" style={{ width: 24, display: 'inline-block' }}>
                  {ci > 0 ? opLabel(g.op) : ''}
                </Typography.Text>
                <Select
                  style={{ width: 120 }}
                  value={c.kind}
                  options={kindOptions}
                  onChange={(kind: Kind) => setCond(g.key, c.key, { kind, values: [] })}
                  data-testid="condition-kind"
                />
                {c.kind === 'tags' && (
                  <Select
                    style={{ width: 110 }}
                    value={c.match}
                    onChange={(match) => setCond(g.key, c.key, { match })}
                    options={[
                      { label: tr('含任一', 'any of'), value: 'any' },
                      { label: tr('含全部', 'all of'), value: 'all' },
                      { label: tr('都不含', 'none of'), value: 'none' },
                    ]}
                  />
                )}
                {c.kind === 'added' ? (
                  <Space>
                    {tr('最近', 'within the last')}
                    <InputNumber
                      min={1}
                      max={730}
                      value={c.days}
                      onChange={(days) => setCond(g.key, c.key, { days })}
                    />
                    {tr('天内添加', 'days')}
                  </Space>
                ) : (
                  <Select
                    mode={c.kind === 'channel' ? 'tags' : 'multiple'}
                    style={{ minWidth: 260 }}
                    value={c.values}
                    data-testid="condition-values"
                    showSearch={{ optionFilterProp: 'label' }}
                    placeholder={
                      c.kind === 'tags'
                        ? tr('选择标签', 'Pick tags')
                        : c.kind === 'employee'
                          ? tr('选择员工', 'Pick employees')
                          : c.kind === 'stage'
                            ? tr('选择客户阶段', 'Pick stages')
                            : tr('选择活码或输入 state', 'Pick codes or type a state')
                    }
                    onChange={(values: string[]) => setCond(g.key, c.key, { values })}
                    options={
                      (c.kind === 'tags'
                        ? dir.tagOptions
                        : c.kind === 'employee'
                          ? dir.employeeOptions
                          : c.kind === 'stage'
                            ? stageOptions
                            : channelOptions) as SelectProps['options']
                    }
                  />
                )}
                <Button
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label="remove condition"
                  onClick={() =>
                    setGroup(g.key, { conditions: g.conditions.filter((x) => x.key !== c.key) })
                  }
                />
              </Space>
            ))}
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => setGroup(g.key, { conditions: [...g.conditions, newCondition()] })}
              data-testid="add-condition"
            >
              {tr('添加条件', 'Add condition')}
            </Button>
          </Space>
        </Card>
      ))}
      <Button
        icon={<PlusOutlined />}
        onClick={() =>
          setBuilder((b) => ({ ...b, groups: [...b.groups, { key: nextKey(), op: 'and', conditions: [newCondition()] }] }))
        }
      >
        {tr('添加条件组', 'Add group')}
      </Button>
    </Space>
  )
}
