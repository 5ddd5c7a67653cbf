"""THE permission table: every permission GridCare checks, and the roles that hold it.

One row per thing a user may see or do. Pages and API endpoints declare the permission
they need (``gridcare.core.authz.requires`` / ``ActionPermission``), services check the
same names, and the navigation and buttons are derived from it — so a role never sees a
control it cannot use. ``docs``: the admin's "权限矩阵" page renders this table.

Scoping (which rows) is separate and declared per model (``gridcare.core.scoping``): a
permission says *what* a role may do, the scope says *to which objects*.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridcare.core.authz import Permission

from .choices import Role, UnitKind

R = Role
ALL = frozenset(Role.values)

# Roles whose daily work is contacting customers: they may reveal personal data
# (phones, ID numbers); every reveal is audited.
CONTACT_ROLES = frozenset(
    {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.DISPATCHER, R.REPAIR_CREW, R.CUSTOMER_MANAGER, R.SUPERVISOR, R.ADMIN}
)
# People who take requests at the front (phone, counter, customer managers).
FRONT = frozenset(
    {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN}
)
# People who handle orders (the responsible unit's side).
HANDLERS = frozenset(
    {R.REPAIR_CREW, R.DISPATCHER, R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.SUPERVISOR, R.ADMIN}
)
# People who take requests (受理): the hotline, the counter, customer managers, crews on site
# (现场受理: a neighbour stops the crew) — and the administrator, who may do anything.
# Dispatchers, supervisors, inspectors, planners and managers work on orders someone took;
# they do not see intake.
INTAKE = frozenset({R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.REPAIR_CREW, R.ADMIN})
DISPATCHERS = frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
# Supervision: quality, escalations, failures, dashboards.
SUPERVISING = frozenset({R.SUPERVISOR, R.QUALITY_INSPECTOR, R.MANAGER, R.ADMIN})
INSIGHT = frozenset({R.PLANNER, R.MANAGER, R.SUPERVISOR, R.QUALITY_INSPECTOR, R.ADMIN})
CALLBACK = frozenset(
    {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN}
)
RECOVERY = frozenset(
    {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.REPAIR_CREW, R.SUPERVISOR, R.MANAGER, R.ADMIN}
)
APPROVERS = frozenset({R.SUPERVISOR, R.MANAGER, R.ADMIN})
TOP_UNITS = frozenset({UnitKind.COMPANY, UnitKind.CITY})


def P(name: str, roles, label, *, unit_kinds=None) -> Permission:
    return Permission(
        name=name,
        roles=frozenset(roles),
        label=label,
        unit_kinds=frozenset(unit_kinds) if unit_kinds is not None else None,
    )


PERMISSIONS: list[Permission] = [
    # ------------------------------------------------------------------ everyone signed in
    P("core.home", ALL, _("使用首页")),
    P("core.view_audit", {R.ADMIN, R.SUPERVISOR, R.QUALITY_INSPECTOR}, _("查看审计日志")),
    P("core.import", {R.ADMIN}, _("导入主数据")),
    P("core.configure", {R.ADMIN}, _("维护系统配置")),
    P("org.view", ALL, _("查看组织单位")),
    # --------------------------------------------------------------------------- grid
    P("grid.view", ALL, _("查看电网台账")),
    P(
        "grid.export",
        {R.PLANNER, R.MANAGER, R.SUPERVISOR, R.DISPATCHER, R.CUSTOMER_MANAGER, R.ADMIN},
        _("导出电网台账"),
    ),
    # ---------------------------------------------------------------------- customers
    P("customers.view", ALL, _("查看客户")),
    P("customers.update", {R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.ADMIN}, _("修改客户档案")),
    P("customers.reveal", CONTACT_ROLES, _("查看完整个人信息")),
    P(
        "customers.export",
        {R.CUSTOMER_MANAGER, R.SUPERVISOR, R.MANAGER, R.PLANNER, R.ADMIN},
        _("导出客户清单"),
    ),
    P("customers.export_unmasked", {R.ADMIN}, _("导出未脱敏的个人信息")),
    # Grids and customer managers (网格化): who serves which customers. Everyone who
    # answers or handles customers may look a manager up; supervisors and managers place them.
    P("customers.view_grids", ALL - {R.PLANNER}, _("查看服务网格与客户经理")),
    P("customers.manage_grids", {R.SUPERVISOR, R.MANAGER, R.ADMIN}, _("划分网格、指派客户经理")),
    # A manager's worklist: customer managers, and the staff who serve a grid part-time
    # (counter clerks, crews); supervisors open any manager's worklist in their scope.
    P(
        "customers.worklist",
        {R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.REPAIR_CREW, R.SUPERVISOR, R.MANAGER, R.ADMIN},
        _("客户经理工作台"),
    ),
    # --------------------------------------------------------------------- work orders
    P("workorders.view", ALL, _("查看工单")),
    P("workorders.create", INTAKE, _("受理工单")),
    P("workorders.queue", DISPATCHERS, _("查看待派单队列")),
    P("workorders.mine", HANDLERS, _("查看我处理的工单")),
    P("workorders.dispatch", DISPATCHERS, _("派单")),
    P("workorders.transfer", DISPATCHERS, _("转派")),
    P("workorders.start", HANDLERS, _("开始处理")),
    P("workorders.depart", HANDLERS, _("记录出发")),
    P("workorders.restore", HANDLERS, _("记录恢复送电")),
    P("workorders.attach_photo", HANDLERS, _("上传现场照片")),
    P("workorders.reply", HANDLERS | {R.HOTLINE_AGENT}, _("回单")),
    P("workorders.return", HANDLERS, _("退单")),
    P("workorders.callback", FRONT, _("回访")),
    P("workorders.archive", FRONT, _("归档")),
    P(
        "workorders.cancel",
        {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.DISPATCHER, R.SUPERVISOR, R.ADMIN},
        _("撤销工单"),
    ),
    # Reopening a callback the customer was not satisfied with is front work; reopening a
    # replied or archived order overrides the handling side (``workorders.reopen_closed``).
    P("workorders.reopen", FRONT, _("重新处理")),
    P("workorders.reopen_closed", {R.SUPERVISOR, R.ADMIN}, _("重新打开已回单或已归档的工单")),
    P("workorders.pause", HANDLERS, _("暂停计时")),
    P("workorders.resume", HANDLERS, _("恢复计时")),
    P("workorders.merge", DISPATCHERS, _("并入主单")),
    P("workorders.detach", DISPATCHERS, _("解除合并")),
    P("workorders.urge", ALL, _("记录催办")),
    P("workorders.note", ALL, _("添加备注")),
    P("workorders.priority", FRONT | {R.DISPATCHER}, _("调整优先级")),
    # Warnings and escalations are written by the escalation services (or the monitor, with
    # no actor), which decide themselves who may escalate; any role may carry one.
    P("workorders.warn", ALL, _("记录时限预警")),
    P("workorders.escalate", ALL, _("升级督办")),
    # ------------------------------------------------------------------- escalation
    P("escalation.notifications", ALL, _("查看站内通知")),
    P("escalation.view_board", SUPERVISING | {R.DISPATCHER}, _("查看升级督办看板")),
    P("escalation.callbacks", CALLBACK, _("回访工作台")),
    # Calling the customer back needs the number: callback roles that may reveal personal data.
    P("escalation.reveal_callback_phone", CALLBACK & CONTACT_ROLES, _("查看回访客户的电话")),
    P("escalation.view_failures", SUPERVISING | RECOVERY, _("查看服务失误")),
    P(
        "escalation.record_failure",
        {R.SUPERVISOR, R.QUALITY_INSPECTOR, R.MANAGER, R.ADMIN},
        _("认定服务失误"),
    ),
    P("escalation.propose_recovery", RECOVERY, _("提出补救措施")),
    P("escalation.approve_recovery", APPROVERS, _("批准补救措施")),
    P("escalation.reject_recovery", APPROVERS, _("驳回补救措施")),
    P("escalation.complete_recovery", RECOVERY, _("执行补救措施")),
    P("escalation.view_dashboard", SUPERVISING | {R.PLANNER}, _("查看服务补救分析")),
    P("escalation.view_supervisors", SUPERVISING, _("查看社会监督员")),
    P("escalation.manage_supervisors", SUPERVISING, _("登记社会监督员、记录座谈")),
    P("escalation.supervisor_submission", SUPERVISING | {R.HOTLINE_AGENT}, _("受理监督员反映的问题")),
    P("escalation.reveal_supervisor_phone", {R.SUPERVISOR, R.ADMIN}, _("查看监督员电话")),
    P("escalation.escalate_manual", {R.SUPERVISOR, R.ADMIN}, _("人工提级督办")),
    # --------------------------------------------------------------------- outages
    # Everyone who answers customers (an outage explains their call) or supervises.
    P("outages.view", FRONT | CONTACT_ROLES | SUPERVISING, _("查看停电事件")),
    P("outages.manage", DISPATCHERS, _("发布和维护停电事件")),
    # ------------------------------------------------------------------------ care
    # Bills, payment behaviour and the credit grade: the roles that serve customers.
    P("care.view", FRONT, _("查看客户缴费与信用等级")),
    # Segment sizes and value across the company: who plans service and answers for it.
    P("care.view_segments", INSIGHT | {R.CUSTOMER_MANAGER}, _("查看客户细分与价值分布")),
    # ------------------------------------------------------------ key accounts
    # (keyaccounts: service packages, safety inspections, emergency plans and drills)
    # Large and important customers' service: their managers, who supervise them, and the
    # dispatch side (an important customer's backup power and contacts matter in an outage).
    P(
        "keyaccounts.view",
        {R.CUSTOMER_MANAGER, R.DISPATCHER, R.REPAIR_CREW} | SUPERVISING,
        _("查看大客户服务包、安全检查与应急预案"),
    ),
    P(
        "keyaccounts.manage",
        {R.CUSTOMER_MANAGER, R.SUPERVISOR, R.ADMIN},
        _("维护大客户服务包、应急预案与演练"),
    ),
    P("keyaccounts.inspect", {R.CUSTOMER_MANAGER, R.SUPERVISOR, R.ADMIN}, _("记录安全检查")),
    P("keyaccounts.report", SUPERVISING, _("查看安全检查逾期报表")),
    # ---------------------------------------------------------- rectification
    # (rectification: found problems tracked to a verified fix)
    # Seen by who finds problems, who fixes them and who supervises; fixed by the handling
    # side; verified (and sent back) by supervision; opened by who finds problems (customer
    # managers through safety inspections); cancelled by supervisors and managers.
    P("rectification.view", SUPERVISING | HANDLERS | {R.PLANNER}, _("查看整改事项")),
    P("rectification.open", SUPERVISING | {R.CUSTOMER_MANAGER, R.DISPATCHER}, _("登记整改事项")),
    P("rectification.fix", HANDLERS, _("提交整改")),
    P("rectification.verify", SUPERVISING, _("验证整改、退回重新整改")),
    P("rectification.cancel", APPROVERS, _("撤销整改事项")),
    # -------------------------------------------------------------- proactive
    # (proactive: meter facts, care campaigns, potential demand)
    # The care lists and campaigns: the people who serve customers in the field and at the
    # counter; crews record the field tasks they did; planners read the potential demand
    # (it feeds their planning export) and record it with the customer managers.
    P(
        "proactive.view",
        {R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.REPAIR_CREW, R.SUPERVISOR, R.MANAGER, R.ADMIN},
        _("查看主动服务清单与活动"),
    ),
    P("proactive.manage_campaigns", {R.CUSTOMER_MANAGER, R.SUPERVISOR, R.ADMIN}, _("发起和管理主动服务活动")),
    P(
        "proactive.record_task",
        {R.CUSTOMER_MANAGER, R.REPAIR_CREW, R.SUPERVISOR, R.ADMIN},
        _("登记主动服务现场任务结果"),
    ),
    P(
        "proactive.view_demand",
        {R.PLANNER, R.CUSTOMER_MANAGER, R.SUPERVISOR, R.MANAGER, R.ADMIN},
        _("查看潜在用电需求"),
    ),
    P("proactive.manage_demand", {R.PLANNER, R.CUSTOMER_MANAGER, R.ADMIN}, _("登记和维护潜在用电需求")),
    # ------------------------------------------------------------ data quality
    # (dataquality: nightly master-data checks and their findings)
    # Findings are fixed by those who may correct master data (customer managers, counter
    # clerks); supervisors hand them out; inspectors and managers follow the dashboard.
    P(
        "dataquality.view",
        {R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.SUPERVISOR, R.QUALITY_INSPECTOR, R.MANAGER, R.ADMIN},
        _("查看数据质量问题"),
    ),
    P(
        "dataquality.work",
        {R.CUSTOMER_MANAGER, R.COUNTER_CLERK, R.SUPERVISOR, R.ADMIN},
        _("处理数据质量问题"),
    ),
    P("dataquality.assign", {R.SUPERVISOR, R.ADMIN}, _("分派数据质量问题")),
    # A finding that shows a systemic problem goes on the rectification list: who reads
    # findings and may open rectification items.
    P(
        "dataquality.rectify",
        {R.CUSTOMER_MANAGER, R.SUPERVISOR, R.QUALITY_INSPECTOR, R.MANAGER, R.ADMIN},
        _("数据质量问题列入整改"),
    ),
    P("dataquality.run", {R.ADMIN}, _("立即运行数据质量检查")),
    # ------------------------------------------------------------------- analytics
    P("analytics.view_insight", INSIGHT, _("查看热点与分析")),
    P("analytics.view_reports", INSIGHT, _("查看分析报告")),
    P("analytics.publish_report", {R.MANAGER, R.SUPERVISOR, R.ADMIN}, _("生成分析报告")),
    # The figures managers are judged on (time-limit compliance, satisfaction, repeats,
    # escalations) on their home page; supervisors answer for the same figures.
    P("analytics.view_kpis", {R.MANAGER, R.SUPERVISOR, R.ADMIN}, _("查看关键指标")),
    P("analytics.suggest", ALL - {R.PLANNER, R.MANAGER}, _("使用受理分类建议")),
    # The planning loop: a planner takes a hotspot into the plan (with the project or
    # action), rejects it with a reason, or marks it fixed; managers answer for the plan.
    P("analytics.plan_hotspots", {R.PLANNER, R.MANAGER, R.ADMIN}, _("热点纳入计划、驳回或标记已整治")),
    # ------------------------------------------------------------------- workforce
    P(
        "workforce.view",
        {R.MANAGER, R.SUPERVISOR, R.PLANNER, R.ADMIN},
        _("查看话务预测与排班"),
        unit_kinds=TOP_UNITS,
    ),
    # ---------------------------------------------------------- applications
    # (applications: business applications with stages, 流程跟踪责任制, month-end report)
    # Taken at any front (hotline, counter, customer managers); worked by the stage
    # owners (clerks, customer managers, dispatchers, crews on site, supervisors); the
    # accepting clerk (or a supervisor) answers stalled and terminated processes;
    # supervisors watch their clerks' processes; the month-end report for supervision.
    P(
        "applications.view",
        ALL - {R.PLANNER},
        _("查看业务申请"),
    ),
    P(
        "applications.accept",
        {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.ADMIN},
        _("受理业务申请"),
    ),
    P(
        "applications.work",
        {R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.DISPATCHER, R.REPAIR_CREW, R.SUPERVISOR, R.ADMIN},
        _("办理业务申请环节"),
    ),
    P(
        "applications.follow_up",
        {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.SUPERVISOR, R.ADMIN},
        _("答复停滞和终止流程"),
    ),
    P("applications.supervise", {R.SUPERVISOR, R.MANAGER, R.ADMIN}, _("查看各受理人的流程跟踪")),
    P(
        "applications.report",
        {R.SUPERVISOR, R.MANAGER, R.QUALITY_INSPECTOR, R.ADMIN},
        _("查看流程月报"),
    ),
    # ------------------------------------------------------------------- hall
    # (hall: the business-hall queue 取号/叫号, the counter tablet's rating, hall figures)
    # Counter clerks run the kiosk, the counter and its tablet (in their own session); the
    # board and the figures are read by them and by supervision; halls, counters, service
    # types and the priority rules are the administrator's.
    P(
        "hall.view",
        {R.COUNTER_CLERK, R.SUPERVISOR, R.MANAGER, R.QUALITY_INSPECTOR, R.ADMIN},
        _("查看营业厅叫号屏与排队指标"),
    ),
    P("hall.issue_ticket", {R.COUNTER_CLERK, R.ADMIN}, _("营业厅取号")),
    P("hall.serve", {R.COUNTER_CLERK, R.ADMIN}, _("窗口叫号与办理")),
    P("hall.rate", {R.COUNTER_CLERK, R.ADMIN}, _("窗口评价器（客户评价）")),
    P("hall.manage", {R.ADMIN}, _("管理营业厅、窗口与排队规则")),
    # ------------------------------------------------------------------- surveys
    # (surveys: satisfaction survey campaigns to a sample of customers, the answer form by
    # link, the customer satisfaction index with its confidence interval per unit)
    P("surveys.view", SUPERVISING, _("查看满意度调查与满意度指数")),
    P("surveys.manage", {R.SUPERVISOR, R.QUALITY_INSPECTOR, R.ADMIN}, _("发起和管理满意度调查")),
    # --------------------------------------------------------------- inspections
    # (inspections: open and mystery inspections 明查暗访 of halls, stations and hotline
    # teams; the quarter rule; published results every staff member may read)
    P("inspections.view_published", ALL, _("查看已公布的检查结果")),
    P("inspections.view", SUPERVISING, _("查看检查计划与检查记录")),
    P("inspections.record", {R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN}, _("登记明查暗访")),
    P("inspections.publish", {R.SUPERVISOR, R.ADMIN}, _("公布检查结果")),
    P("inspections.manage", {R.SUPERVISOR, R.ADMIN}, _("维护检查对象与检查表")),
    # ---------------------------------------------------------------- evaluation
    # (evaluation: three-party evaluation 三方评价 — customer, expert, internal — combined in
    # a weighted scorecard per hall, unit and staff member)
    P("evaluation.view", SUPERVISING, _("查看三方评价记分卡")),
    P("evaluation.assess", {R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN}, _("登记专家评价")),
    P("evaluation.manage", {R.SUPERVISOR, R.ADMIN}, _("聘任评价专家")),
    # --------------------------------------------------------------- supervision
    # (supervision: social supervisors heard — consultations scheduled, points tracked to
    # an answer, rewards; staff conduct 行为规范 and assessment 考核 figures)
    P("supervision.view", SUPERVISING, _("查看监督员座谈、意见与奖励")),
    P("supervision.record", {R.SUPERVISOR, R.QUALITY_INSPECTOR, R.ADMIN}, _("安排座谈、登记和答复监督意见")),
    P("supervision.approve_reward", APPROVERS, _("审批监督员奖励")),
    P("supervision.view_conduct", SUPERVISING, _("查看员工行为规范与考核")),
    P("supervision.record_conduct", {R.SUPERVISOR, R.QUALITY_INSPECTOR, R.ADMIN}, _("登记员工违规")),
    # ------------------------------------------------------------------ portal
    # (portal: customers change their contact phone and address themselves; staff who may
    # change customers' master data review the change before it is applied)
    P("portal.review_contact", {R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.ADMIN}, _("审核客户信息变更")),
    # ------------------------------------------------------------------ partners
    # (partners: other systems that come in — API keys issued per partner, scoped to units
    # and endpoints, revoked; every partner call audited; Open311 GeoReport v2)
    P("partners.manage", {R.ADMIN}, _("管理合作方、接口密钥与调用记录")),
    # (webhooks: outgoing event pushes to partners' systems — subscriptions, deliveries)
    P("webhooks.manage", {R.ADMIN}, _("管理事件推送订阅与投递记录")),
    # ------------------------------------------------------------------- knowledge
    # (knowledge: the knowledge base 知识库 — articles, policy notices, call scripts)
    # Read by everyone who answers customers and by supervision; sent to customers (SMS,
    # "answered from the knowledge base" on an order) by the front; written by the editors
    # (quality inspectors, supervisors), published by a reviewer; the learning loop for
    # the editors and managers.
    P("knowledge.view", ALL - {R.PLANNER}, _("查看知识库")),
    P(
        "knowledge.send",
        {R.HOTLINE_AGENT, R.COUNTER_CLERK, R.CUSTOMER_MANAGER, R.REPAIR_CREW, R.SUPERVISOR, R.ADMIN},
        _("向客户发送知识条目、记录知识库答复"),
    ),
    P("knowledge.edit", {R.QUALITY_INSPECTOR, R.SUPERVISOR, R.ADMIN}, _("编辑知识条目")),
    P("knowledge.review", {R.SUPERVISOR, R.ADMIN}, _("审核发布知识条目")),
    P(
        "knowledge.insight",
        {R.QUALITY_INSPECTOR, R.SUPERVISOR, R.MANAGER, R.ADMIN},
        _("查看知识库使用与缺口"),
    ),
]
