// The page's words in English and Chinese (the course's terms). `t(key)` looks a
// word up in the current language; `apply()` rewrites every element marked with
// data-i18n (text) or data-i18n-title (tooltip).

const WORDS = {
  en: {
    title: 'xiaolan Playground',
    subtitle: 'Tinker with a neural network right here in your browser, trained by xiaolan’s engine.',
    play: 'Play / pause', step: 'One step (one epoch)', reset: 'Reset to the initial weights',
    epoch: 'Epoch', lr: 'Learning rate', activation: 'Activation',
    regularization: 'Regularization', reg_rate: 'Regularization rate', problem: 'Problem type',
    loss: 'Loss', optimizer: 'Optimizer', seed: 'Seed', shuffle: 'Reshuffle every epoch',
    data: 'Data', dataset: 'Which data set do you want to use?', noise: 'Noise',
    ratio: 'Ratio of training to test data', batch_size: 'Batch size', regenerate: 'Regenerate',
    features: 'Features', features_tip: 'Which properties do you want to feed in?',
    hidden_layers: 'hidden layers', hidden_layer: 'hidden layer', neurons: 'neurons', neuron: 'neuron',
    add_layer: 'Add a hidden layer', remove_layer: 'Remove a hidden layer',
    add_neuron: 'Add a neuron', remove_neuron: 'Remove a neuron',
    output: 'Output', train_loss: 'Training loss', test_loss: 'Test loss',
    show_test: 'Show test data', discretize: 'Discretize output',
    click_class: 'Click on the output adds a point of class', clear_points: 'Clear points',
    upload_csv: 'Upload CSV (x1,x2,label)', stop: 'Stop conditions', epochs: 'epochs',
    target_loss: 'target training loss', target_accuracy: 'target training accuracy (0–1)',
    stop_epochs: 'every epoch ran', stop_target_loss: 'the training loss reached the target',
    stop_target_accuracy: 'the training accuracy reached the target', stop_diverged: 'the loss is not finite (diverged): try a smaller learning rate',
    class: 'class', legend: 'Colours', grad_summary: 'parameters agree; largest relative error', grad_loss: 'loss at the point',
    metrics: 'Metrics', accuracy: 'Accuracy', confusion: 'Confusion matrix (rows: true, columns: predicted)',
    rmse: 'RMSE', r2: 'R²', check_grad: 'Check gradients', check_point: 'at training point', check_train: 'on the whole training set',
    grad_ringed: 'ringed on the map', grad_points: 'training points, their mean loss', grad_loss_set: 'mean loss over the training set', points: 'points', target: 'target',
    grad_table: 'Gradient check: analytic (the tape) vs numeric (central differences)',
    param: 'Parameter', analytic: 'Analytic', numeric: 'Numeric', abs_err: 'Abs. error',
    rel_err: 'Rel. error', ok: 'ok', bad: 'FAIL', all_ok: 'all gradients agree', some_bad: 'some gradients disagree',
    export: 'Export', download_st: 'Download weights (safetensors)', download_onnx: 'Download ONNX',
    command: 'The CLI command that reproduces this run', copy: 'Copy', copied: 'Copied',
    weight: 'Weight', bias: 'Bias', gradient: 'Gradient', edit_weight: 'New value of this weight:',
    edit_bias: 'New value of this bias:', dead: 'dead neuron: its gradient has been zero for the last epochs',
    connected: 'connected', disconnected: 'Connection to the server lost.', reconnect: 'Reconnect',
    error: 'Error', running: 'training', stopped: 'stopped', language: '中文',
    classification: 'Classification', regression: 'Regression', none: 'None',
    link: 'The address bar holds the whole experiment: copy it to share.',
    bad_number: 'expected a number, found',
  },
  zh: {
    title: '小蓝 Playground',
    subtitle: '就在浏览器里摆弄神经网络，由小蓝的引擎训练。',
    play: '运行 / 暂停', step: '单步（一个 epoch）', reset: '重置到初始权重',
    epoch: '训练轮数', lr: '学习率', activation: '激活函数',
    regularization: '正则化', reg_rate: '正则化率', problem: '问题类型',
    loss: '损失函数', optimizer: '优化器', seed: '随机种子', shuffle: '每轮重新打乱',
    data: '数据', dataset: '选择数据集', noise: '噪声',
    ratio: '训练数据占比', batch_size: '批大小', regenerate: '重新生成',
    features: '特征', features_tip: '要输入哪些特征？',
    hidden_layers: '个隐藏层', hidden_layer: '隐藏层', neurons: '个神经元', neuron: '神经元',
    add_layer: '添加隐藏层', remove_layer: '删除隐藏层',
    add_neuron: '添加神经元', remove_neuron: '删除神经元',
    output: '输出', train_loss: '训练损失', test_loss: '测试损失',
    show_test: '显示测试数据', discretize: '离散化输出',
    click_class: '点击输出图添加的点的类别', clear_points: '清除点',
    upload_csv: '上传 CSV（x1,x2,label）', stop: '停止条件', epochs: '轮数',
    target_loss: '目标训练损失', target_accuracy: '目标训练准确率（0–1）',
    stop_epochs: '已训练完所有轮数', stop_target_loss: '训练损失已达到目标',
    stop_target_accuracy: '训练准确率已达到目标', stop_diverged: '损失不是有限值（发散）：请减小学习率',
    class: '类别', legend: '颜色', grad_summary: '个参数一致；最大相对误差', grad_loss: '该点的损失',
    metrics: '指标', accuracy: '准确率', confusion: '混淆矩阵（行：真实，列：预测）',
    rmse: '均方根误差', r2: 'R²', check_grad: '检查梯度', check_point: '在训练点', check_train: '在整个训练集上',
    grad_ringed: '已在输出图上圈出', grad_points: '个训练点，取平均损失', grad_loss_set: '训练集上的平均损失', points: '个点', target: '目标值',
    grad_table: '梯度检查：解析梯度（计算图）与数值梯度（中心差分）',
    param: '参数', analytic: '解析', numeric: '数值', abs_err: '绝对误差',
    rel_err: '相对误差', ok: '通过', bad: '失败', all_ok: '全部梯度一致', some_bad: '部分梯度不一致',
    export: '导出', download_st: '下载权重（safetensors）', download_onnx: '下载 ONNX',
    command: '复现这次训练的命令行', copy: '复制', copied: '已复制',
    weight: '权重', bias: '偏置', gradient: '梯度', edit_weight: '这个权重的新值：',
    edit_bias: '这个偏置的新值：', dead: '死神经元：最近几轮它的梯度一直为零',
    connected: '已连接', disconnected: '与服务器的连接断开了。', reconnect: '重新连接',
    error: '错误', running: '训练中', stopped: '已停止', language: 'English',
    classification: '分类', regression: '回归', none: '无',
    link: '地址栏保存了整个实验：复制它即可分享。',
    bad_number: '应为数字，实际为',
  },
};

let lang = 'en';

/** Chooses the language: the URL's if given, else Chinese when the browser prefers it. */
export function initLanguage(fromUrl) {
  if (fromUrl === 'zh' || fromUrl === 'en') {
    lang = fromUrl;
  } else {
    const prefs = navigator.languages || [navigator.language || 'en'];
    const first = prefs.find((l) => /^(zh|en)/i.test(l)) || 'en';
    lang = /^zh/i.test(first) ? 'zh' : 'en';
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  return lang;
}

/** The current language, 'en' or 'zh'. */
export function language() { return lang; }

/** Switches to the other language and rewrites the page. */
export function toggleLanguage() {
  lang = lang === 'zh' ? 'en' : 'zh';
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  apply();
  return lang;
}

/** The word for `key` in the current language (the key itself if unknown). */
export function t(key) {
  return WORDS[lang][key] ?? WORDS.en[key] ?? key;
}

/** Rewrites the text and tooltips of every marked element under `root`. */
export function apply(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  document.title = t('title');
}
